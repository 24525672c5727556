/**
 * The scenario schema: the one source of the scenario types, of their validation, and of
 * scenarios/schema.json (see write-json-schema.ts). YAML keys are exactly these names. How hops talk
 * TLS is in policies.ts, the three kinds of hop in hop.ts (engines: engine-hop.ts); both are re-exported here.
 */
import { z } from 'zod';
import { Duration } from './duration.js';
import { scenarioLimitProblems } from './scenario-limits.js';
import { LinkFaultSpec } from '../link/faults/index.js';
import { SubmitSpec } from './submit.js';
import { Hop, hopPlacementProblems } from './hop.js';
import { DnsZones } from './dns-zones.js';
import { chainTopology, topologyProblems, type TopologyHop } from './chain-topology.js';
import { TlsRptClaim } from './tlsrpt-spec.js';
import { tlsRptProblems } from './tlsrpt-problems.js';

export * from './policies.js';
export * from './submit.js';
export { Hop, HopId, PresetName, type MockHop, type EngineHop, type ExternalHop } from './hop.js';
export type { EngineInbound, EngineOutbound } from './engine-hop.js';
export * from './dns-zones.js';
export * from './sts-policy.js';
export { TlsRptReporter, TlsRptClaim } from './tlsrpt-spec.js';
export { chainTopology, type ChainTopology, type TopologyLink } from './chain-topology.js';
export { ENGINE_NAMES, REAL_ENGINES, hopKind, type EngineName, type HopKind, type RealEngineName } from './hop-kind.js';

/**
 * An envelope address. Local part and domain may be internationalised (RFC 6531 §3.3: UTF-8 mailbox names,
 * U-label domains such as `用户@例子.test`); mailhop's relays then use SMTPUTF8 (mta/smtputf8.ts).
 */
const Address = z.string().regex(/^[^\s@<>]+@[\p{L}\p{M}\p{N}.-]+$/u, 'must be an address like bob@partner.test');

/** Per-link verdicts (see verdict/link-verdict.ts for their exact meaning). */
export const LinkVerdictName = z.enum(['plain', 'downgraded', 'stripped', 'tls', 'tls-verified', 'refused', 'none']);
export type LinkVerdictName = z.infer<typeof LinkVerdictName>;

/** End-to-end verdicts (see verdict/end-to-end.ts). */
export const EndToEndName = z.enum(['encrypted-verified', 'encrypted', 'broken', 'held', 'leak']);
export type EndToEndName = z.infer<typeof EndToEndName>;

/** Delivery outcome of a message. `rejected`: the first hop never accepted it. */
export const OutcomeName = z.enum(['delivered', 'deferred', 'bounced', 'rejected']);
export type OutcomeName = z.infer<typeof OutcomeName>;

/** The claims every message can be held to: scenario-wide, or its own in `messages[].expect`. */
const messageClaims = {
  outcome: OutcomeName.optional(),
  links: z.record(z.string().regex(/^[a-z0-9-]+->[a-z0-9-]+$/, 'must name a link as "from->to"'), LinkVerdictName).optional(),
  endToEnd: EndToEndName.optional(),
  /**
   * Per recipient domain, what its copy must show, for a message that a hop routing by MX split per destination
   * (RFC 5321 §5.1), e.g. `{ partner.test: { outcome: delivered, endToEnd: encrypted } }`.
   */
  destinations: z.record(z.string(), z.strictObject({ outcome: OutcomeName.optional(), endToEnd: EndToEndName.optional() })).optional(),
};

/** What the scenario claims; every message must satisfy it. `tlsRpt`: what the TLS-RPT reports say (tlsrpt-spec.ts). */
export const Expect = z.strictObject({
  ...messageClaims,
  tlsRpt: z.array(TlsRptClaim).min(1).optional(),
});
export type Expect = z.output<typeof Expect>;

/**
 * The DSN a message was returned with (RFC 3464): `status`, the enhanced status code of the reply that returned it
 * (RFC 3463, e.g. `5.7.30` for REQUIRETLS not supported, RFC 8689 §5); `redacted`, whether only the header section came
 * back (RFC 8689 §5, a REQUIRETLS message's DSN).
 */
export const DsnClaim = z.strictObject({
  status: z.string().regex(/^[245]\.\d{1,3}\.\d{1,3}$/, 'must be an enhanced status code like 5.7.30 (RFC 3463)').optional(),
  redacted: z.boolean().optional(),
});
export type DsnClaim = z.output<typeof DsnClaim>;

/** A message's own claims, key by key over the scenario's `expect`; `dsn` only here (a DSN is one message's). */
export const MessageExpect = z.strictObject({
  ...messageClaims,
  dsn: DsnClaim.optional(),
});
export type MessageExpect = z.output<typeof MessageExpect>;

/** The body of a message that names none. */
export const DEFAULT_BODY = 'Sent by mailhop.';

/**
 * Header fields mailhop writes itself (the composer: RFC 5322 §3.6 originator, destination and identification
 * fields; the chain: its id; the hops: trace fields) and so a message's `headers:` may not set.
 */
const RESERVED_HEADERS = ['from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding', 'received', 'return-path'];

/** RFC 5322 §2.2: a field name is printable US-ASCII other than the colon; mailhop's own `X-Mailhop-*` are not settable. */
const HeaderName = z
  .string()
  .regex(/^[\x21-\x39\x3b-\x7e]{1,76}$/, 'must be a header field name: 1 to 76 printable ASCII characters, no colon or space (RFC 5322 §2.2)')
  .refine((n) => !RESERVED_HEADERS.includes(n.toLowerCase()) && !/^x-mailhop-/i.test(n), {
    message: 'is written by mailhop itself (use the message\'s from, to, subject and body keys; X-Mailhop-* and trace fields are the chain\'s)',
  });

/** A header value on one line: no CR or LF (mailhop folds nothing; RFC 5322 §2.2.3). */
const HeaderValue = z.string().max(998).regex(/^[^\r\n]*$/, 'must be one line (no CR or LF)');

/**
 * A file attached to a message (a MIME part, RFC 2045/2046 through nodemailer's composer): `path` (relative to the
 * scenario file) or inline `content` text, never both. The loader reads `path` and replaces it by the file's bytes
 * (`content` in base64, `encoding: base64`), so a loaded scenario carries everything it sends.
 */
const Attachment = z
  .strictObject({
    filename: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    content: z.string().optional(),
    encoding: z.literal('base64').optional(),
    contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type like text/csv').optional(),
  })
  .refine((a) => (a.path === undefined) !== (a.content === undefined), { message: 'needs exactly one of path (a file) or content (text)' });

/** One message to push through the chain. */
export const Message = z
  .strictObject({
    from: Address,
    /** At most 1,000 recipients: the most a mock hop takes in one transaction (RFC 5321 §4.5.3.1.8 asks for at least 100). */
    to: z.array(Address).min(1).max(1000),
    subject: z.string().default('mailhop test message'),
    /** The text body (default `Sent by mailhop.`); or `bodyFile`, a file relative to the scenario, never both. */
    body: z.string().optional(),
    bodyFile: z.string().min(1).optional(),
    /** Extra header fields, e.g. `{ TLS-Required: "No" }` (RFC 8689 §3). */
    headers: z.record(HeaderName, HeaderValue).default({}),
    attachments: z.array(Attachment).max(20).default([]),
    /**
     * Submit with `MAIL FROM:<...> REQUIRETLS` (RFC 8689 §2): the message may only travel over TLS with a certificate
     * that verifies, to hops that list REQUIRETLS. The injecting client sends the parameter as its `submit.requireTls` says.
     */
    requireTls: z.boolean().optional(),
    /** What this message must show, key by key over the scenario's `expect` (its links merged link by link), and its DSN. */
    expect: MessageExpect.optional(),
  })
  .refine((m) => m.body === undefined || m.bodyFile === undefined, { message: 'give body or bodyFile, not both', path: ['bodyFile'] });
export type Message = z.output<typeof Message>;
export type MessageInput = z.input<typeof Message>;


/** A whole scenario file. */
export const Scenario = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case'),
    description: z.string().optional(),
    submit: SubmitSpec.prefault({}),
    hops: z.array(Hop).min(1),
    /** What mailhop's client submits: at least one; none under `submit: { sender: app }` (the application sends). */
    messages: z.array(Message).default([]),
    expect: Expect.optional(),
    /** On-path attackers: faults acting in the link proxy between two hops (link/faults/), in the order they see traffic. */
    links: z.array(LinkFaultSpec).default([]),
    /** Virtual time each message is given from when it entered the chain; a retry due later is not made, and the message is reported deferred. */
    runFor: Duration.prefault('1h'),
    /** The run's DNS: zones by domain (dns-zones.ts), served on loopback; absent: no DNS, hops relay in list order. */
    dns: DnsZones.optional(),
  })
  .superRefine((s, ctx) => {
    for (const p of hopPlacementProblems(s.hops)) ctx.addIssue({ code: 'custom', path: ['hops', ...p.path], message: p.message });
  })
  // Run even when other parts of the file are wrong (zod skips refinements after an issue by
  // default), so one run lists every problem, not a second batch once the first is fixed.
  .superRefine((s, ctx) => crossReferenceProblems(s, ctx), { when: () => true })
  // MX routing: who delivers to whom (chain-topology.ts), and `submit` cannot route or apply DANE.
  .superRefine((s, ctx) => routingProblems(s, ctx), { when: () => true })
  .superRefine((s, ctx) => {
    for (const p of messageCountProblems(s)) ctx.addIssue({ code: 'custom', path: ['messages'], message: p, input: s });
  }, { when: () => true })
  // TLS-RPT: rua URIs off loopback, claims naming no reporter (tlsrpt-problems.ts).
  .superRefine((s, ctx) => {
    for (const p of tlsRptProblems(s)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  }, { when: () => true })
  // Hops, messages and delivery attempts a run may take (scenario-limits.ts); also beside other problems.
  .superRefine((s, ctx) => {
    for (const p of scenarioLimitProblems(s)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, params: { onKey: p.onKey }, input: s });
  }, { when: () => true });
export type ScenarioInput = z.input<typeof Scenario>;
export type Scenario = z.output<typeof Scenario>;

/** mailhop's client needs messages to submit; an application that submits itself takes none from the file. */
function messageCountProblems(value: unknown): string[] {
  if (!isRecord(value)) return [];
  const app = isRecord(value.submit) && value.submit.sender === 'app';
  const count = Array.isArray(value.messages) ? value.messages.length : 0;
  if (!Array.isArray(value.messages) && value.messages !== undefined) return []; // the schema says what is wrong with it
  if (app && count > 0) return ['the application under test sends the mail (submit: { sender: app }): remove messages: (send from your test, then call chain.run())'];
  if (!app && count === 0) return ['needs at least one message for the mailhop client to submit (or submit: { sender: app }, where your application sends)'];
  return [];
}

/**
 * Duplicate hop ids, and links and expectations naming hops or links that do not exist. Reads the
 * value defensively: with other problems in the file, parts of it may not have their parsed shape.
 */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function crossReferenceProblems(value: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isRecord(value) || !Array.isArray(value.hops)) return;
  const ids = value.hops.map((hop) => (isRecord(hop) && typeof hop.id === 'string' ? hop.id : null));
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === null) return;
    if (seen.has(id)) {
      ctx.addIssue({ code: 'custom', path: ['hops', i, 'id'], message: `duplicate hop id "${id}" (first used by hops[${seen.get(id)}])` });
    } else seen.set(id, i);
  });
  if (ids.includes(null)) return; // a hop without a readable id: the links cannot be named yet
  const hopIds = ids as string[];
  const topology = chainTopology(value.hops.map(topologyHopOf), isRecord(value.dns) ? (value.dns as never) : undefined);
  const linkNames = topology.links.map((l) => l.name);
  (Array.isArray(value.links) ? value.links : []).forEach((fault: unknown, i) => {
    if (!isRecord(fault) || typeof fault.from !== 'string' || typeof fault.to !== 'string') return;
    const from = ['client', ...hopIds].indexOf(fault.from);
    if (from < 0) {
      ctx.addIssue({ code: 'custom', path: ['links', i, 'from'], message: `no hop "${fault.from}"; a link starts at client or at one of ${hopIds.join(', ')}` });
    } else if (!linkNames.includes(`${fault.from}->${fault.to}`)) {
      // A hop that routes by MX has a link to every MX target; any other sends on the link after it.
      const routed = topology.router !== undefined;
      const next = routed ? topology.links.filter((l) => l.from === fault.from).map((l) => l.to) : [linkNames[from]?.split('->')[1]].filter((n) => n !== undefined);
      ctx.addIssue({ code: 'custom', path: ['links', i, 'to'], message: `no such link "${fault.from}->${fault.to}"; ${next.length ? `the link${next.length > 1 ? 's' : ''} from ${fault.from} go${next.length > 1 ? '' : 'es'} to ${next.join(', ')}` : `${fault.from} is ${routed ? 'a final mailbox' : 'the last hop'}`}` });
    } else if (fault.attempts !== undefined && from > 0) {
      // `attempts:` counts the sender's delivery attempts, which only mailhop's own senders announce to the link.
      const sender: unknown = (value.hops as unknown[])[from - 1];
      const engine = isRecord(sender) && typeof sender.engine === 'string' ? sender.engine : 'mock';
      if (engine !== 'mock') {
        ctx.addIssue({
          code: 'custom', path: ['links', i, 'attempts'],
          message: `cannot count attempts on ${fault.from}->${fault.to}: its sender is ${engine === 'external' ? 'an external gateway' : `a real ${engine}`}, which does not tell mailhop which attempt a connection is; remove attempts: (the fault then acts on every connection)`,
        });
      }
    }
  });
  const claims: Array<{ at: (string | number)[]; expect: unknown }> = [
    { at: ['expect'], expect: value.expect },
    ...(Array.isArray(value.messages) ? value.messages.map((m: unknown, i) => ({ at: ['messages', i, 'expect'], expect: isRecord(m) ? m.expect : undefined })) : []),
  ];
  for (const { at, expect } of claims) {
    const expected = isRecord(expect) && isRecord(expect.links) ? expect.links : {};
    for (const key of Object.keys(expected)) {
      if (!linkNames.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'links', key], message: `no such link "${key}"; the links are ${linkNames.join(', ')}` });
      }
    }
    const domains = isRecord(value.dns) ? Object.keys(value.dns) : [];
    for (const key of Object.keys(isRecord(expect) && isRecord(expect.destinations) ? expect.destinations : {})) {
      const message = !topology.router
        ? 'a message is split per destination only by a hop whose outbound says route: mx; no hop does'
        : domains.includes(key) ? undefined : `no destination "${key}"; the recipient domains in dns: are ${domains.join(', ')}`;
      if (message) ctx.addIssue({ code: 'custom', path: [...at, 'destinations', key], message });
    }
  }
}

/** MX routing problems (chain-topology.ts), read as defensively as crossReferenceProblems: beside other problems. */
function routingProblems(value: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isRecord(value)) return;
  for (const key of ['route', 'dane', 'daneRequiredMissing', 'mtaSts', 'mtaStsCache', 'mtaStsCheck']) {
    if (isRecord(value.submit) && value.submit[key] !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['submit', key], message: `${key} is for a hop's outbound; the injecting client always submits to the first hop` });
    }
  }
  if (!Array.isArray(value.hops) || !value.hops.every((h) => isRecord(h) && typeof h.id === 'string')) return;
  value.hops.forEach((hop: Record<string, unknown>, i) => {
    const out = isRecord(hop.outbound) ? hop.outbound : {};
    for (const key of ['mtaSts', 'mtaStsCache']) {
      if (out[key] !== undefined && out.route !== 'mx') {
        ctx.addIssue({ code: 'custom', path: ['hops', i, 'outbound', key], message: `${key} applies to the MX hosts of recipient domains: add route: mx to this outbound` });
      }
    }
    // Keys read only beside another setting would do nothing alone (a preset may bring that setting: then say nothing;
    // a value that is no setting at all has its own error).
    if (hop.preset === undefined && out.daneRequiredMissing !== undefined && [undefined, 'ignore', 'honor'].includes(out.dane as string)) {
      ctx.addIssue({ code: 'custom', path: ['hops', i, 'outbound', 'daneRequiredMissing'], message: `daneRequiredMissing is what dane: require does with an MX host without usable TLSA records; this outbound's dane is ${String(out.dane ?? 'ignore')}, so it would do nothing: write dane: require, or drop daneRequiredMissing` });
    }
    if (hop.preset === undefined && out.mtaStsCache !== undefined && out.route === 'mx' && [undefined, 'ignore'].includes(out.mtaSts as string)) {
      ctx.addIssue({ code: 'custom', path: ['hops', i, 'outbound', 'mtaStsCache'], message: `mtaStsCache seeds the policy cache that mtaSts: honor reads; this outbound's mtaSts is ${String(out.mtaSts ?? 'ignore')}, so it would do nothing: write mtaSts: honor, or drop mtaStsCache` });
    }
    if (hop.preset === undefined && out.mtaStsCheck !== undefined && out.mtaSts !== 'honor') {
      ctx.addIssue({ code: 'custom', path: ['hops', i, 'outbound', 'mtaStsCheck'], message: `mtaStsCheck says how mtaSts: honor checks an MX host; this outbound's mtaSts is ${String(out.mtaSts ?? 'ignore')}, so it would do nothing: write mtaSts: honor (with route: mx), or drop mtaStsCheck` });
    }
    if (out.dane === undefined || out.dane === 'ignore' || out.route === 'mx') return;
    // DANE is looked up per MX host (RFC 7672 §2.2): a hop relaying to the next in the list never asks, so it would do nothing.
    ctx.addIssue({ code: 'custom', path: ['hops', i, 'outbound', 'dane'], message: `dane: ${String(out.dane)} applies to the MX hosts of a hop that routes by MX: add route: mx (and a dns: zone for the recipient domain), or drop dane` });
  });
  const dns = isRecord(value.dns) ? (value.dns as Parameters<typeof topologyProblems>[1]) : undefined;
  for (const p of topologyProblems(value.hops.map(topologyHopOf), dns)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
}

/** What the topology reads of a hop that may not have its parsed shape yet. */
function topologyHopOf(hop: unknown): TopologyHop {
  const h = hop as { id: string; engine?: unknown; outbound?: unknown };
  const route = isRecord(h.outbound) && typeof h.outbound.route === 'string' ? h.outbound.route : undefined;
  return { id: h.id, ...(typeof h.engine === 'string' ? { engine: h.engine } : {}), ...(route ? { outbound: { route } } : {}) };
}

/** Link names of a chain, in order: `client->first`, then `a->b` for each consecutive pair. */
export function linkNamesOf(hopIds: readonly string[]): string[] {
  const names: string[] = [];
  let prev = 'client';
  for (const id of hopIds) {
    names.push(`${prev}->${id}`);
    prev = id;
  }
  return names;
}
