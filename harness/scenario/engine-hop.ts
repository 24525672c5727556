/**
 * A hop run by a real MTA (`engine: postfix | sendmail | exim | opensmtpd`): one schema variant per engine,
 * holding only what mailhop can configure on it, so anything else is a located problem that names the engine
 * and the option, and a parsed engine hop carries no mock-only key (no retry schedule, no Received format).
 *
 * What each engine supports is the table in engine-support.ts. `outbound.timeout`, `outbound.starttlsTimeout`
 * and `outbound.tlsCiphers` are written into the product's own settings where it has one (the table names them,
 * and scenarios/schema.json gives them as each key's description); absent, the product keeps its own default
 * (Postfix waits 300 s for a TLS handshake), unlike a mock hop's 5 s. Where the product has no such setting, or
 * one that means something else, the key is refused with the reason.
 */
import { z } from 'zod';
import { formatDuration, RealWait } from './duration.js';
import { CertKind, CipherString, Dane, Fallback, InboundStarttls, Route } from './policies.js';
import { HopId, type RealEngineName } from './hop-kind.js';
import { MtaSts } from './sts-policy.js';
import { ENGINE_SUPPORT, type EngineKeySupport, type EngineOutboundKey, type EngineOutboundTls } from './engine-support.js';

export { ENGINE_SUPPORT, takesOutboundKey, type EngineKeySupport, type EngineOutboundKey, type EngineOutboundTls, type EngineSupport } from './engine-support.js';

/** Why a mock hop's key cannot be set on a real engine. */
const FIXED_KEYS = {
  'inbound.tls': "its TLS versions and ciphers are its own (Debian's defaults)",
  'inbound.greetingDelay': 'it greets at once',
  'inbound.received': 'it writes its own Received header',
  'outbound.tlsMinVersion': 'it offers its own TLS versions',
  'outbound.tlsMaxVersion': 'it offers its own TLS versions',
  'outbound.retry': 'it retries on its own real-time schedule (every 1-3 s, as mailhop configures it)',
  'outbound.maxAge': 'its queue lifetime is its own (the run ends long before)',
  'outbound.concurrencyLimit': 'its destination concurrency is its own',
  'outbound.reuse': 'it keeps connections open (or not) as its own configuration says',
  'outbound.tlsResumption': 'it resumes TLS sessions (or not) as its own configuration says',
  'outbound.replies': 'it uses its own reply texts',
  'outbound.fallbackAfter': 'Postfix falls back once the message is minimal_backoff_time old (3 s in the configuration mailhop writes)',
} as const;

const FAKE_MODES: readonly string[] = ['fake-454', 'fake-502', 'fake-reply', 'break-handshake', 'vulnerable-injection'];

const FALLBACK_WORDS: Record<Fallback, string> = {
  'next-attempt': 'defers and falls back to plaintext on a later attempt (next-attempt)',
  never: 'defers and retries with TLS, never in plaintext (never)',
  reconnect: 'reconnects in plaintext at once (reconnect)',
};

/** A key the engine cannot take: absent is fine, any value is the problem `engine <e> cannot take <key>: <why>`. */
function cannotTake(engine: RealEngineName, key: keyof typeof FIXED_KEYS) {
  return refused(`engine ${engine} cannot take ${key}: ${FIXED_KEYS[key]}`);
}

/**
 * A key this kind of hop cannot take: absent is fine, any value is the problem `message`, which scenarios/schema.json
 * also gives as the key's description (an editor shows why).
 */
export function refused(message: string) {
  return z.never({ error: message }).optional().describe(message);
}

function inboundReason(engine: RealEngineName, starttls: string): string {
  if (engine === 'opensmtpd' && (starttls === 'offer' || starttls === 'require')) {
    return " (Debian 12's OpenSMTPD 6.8.0p2 fails every inbound TLS handshake with OpenSSL 3: \"missing private key\", OpenSMTPD#1171)";
  }
  return '';
}

function outboundReason(tls: unknown): string {
  return tls === 'preserve-inbound' ? ' (no real MTA here does that; use a mock hop, e.g. preset: messagelabs)' : '';
}

/** Every outbound key `engine` refuses, with the reason: the ones no engine takes and its own. */
function refusedOutboundKeys(engine: RealEngineName): Record<string, string> {
  const own = Object.entries(ENGINE_SUPPORT[engine].keys).flatMap(([key, s]) => ('refused' in s ? [[`outbound.${key}`, s.refused]] : []));
  return { ...Object.fromEntries(Object.entries(FIXED_KEYS).filter(([key]) => key.startsWith('outbound.'))), ...Object.fromEntries(own) };
}

/**
 * A time limit written into the product's configuration: Postfix, Exim and Sendmail count them in whole
 * seconds (postconf(5) "time value", the Exim specification "Time intervals", Sendmail's `Timeout.*` options),
 * and none takes zero for these.
 */
function engineSeconds(engine: RealEngineName, key: EngineOutboundKey) {
  return RealWait.refine((ms) => ms >= 1_000 && ms % 1_000 === 0, {
    error: (iss) => `engine ${engine} cannot take outbound.${key}: ${formatDuration(iss.input as number)}; its time limits are whole seconds, at least 1s`,
  });
}

/**
 * A cipher string written into the product's configuration file (main.cf, an access map entry, smtpd.conf), where
 * `$`, quotes, `;` or `#` would mean something else: an OpenSSL cipher string needs none of them.
 */
const EngineCipherString = CipherString.regex(/^[A-Za-z0-9:+!@=_.,-]+$/, 'must be an OpenSSL cipher string of letters, digits and : + ! @ = _ . , - only (it goes into the engine\'s configuration file)');

/**
 * Keys the product writes into one setting (Exim's command_timeout times the handshake and every reply) must agree
 * when both are given: a check on a parsed outbound (values in ms).
 */
function sharedLimit(engine: RealEngineName) {
  return (out: Partial<Record<EngineOutboundKey, unknown>>, ctx: z.core.$RefinementCtx): void => {
    for (const [key, support] of Object.entries(ENGINE_SUPPORT[engine].keys) as Array<[EngineOutboundKey, EngineKeySupport]>) {
      if ('refused' in support) continue;
      const other = support.sharedWith;
      if (!other || out[key] === undefined || out[other] === undefined || out[key] === out[other]) continue;
      const [mine, theirs] = [out[key], out[other]].map((v) => (typeof v === 'number' ? formatDuration(v) : String(v)));
      ctx.addIssue({ code: 'custom', path: [key], input: out[key], message: `engine ${engine} cannot take outbound.${key}: ${mine} beside outbound.${other}: ${theirs}; it writes both into ${support.setting}: give one value` });
    }
  };
}

/** `schema` when `engine` takes `key` (described with the setting it becomes), else the refusal that names the reason. */
function outboundKey<S extends z.ZodType>(engine: RealEngineName, key: EngineOutboundKey, schema: S) {
  const support = ENGINE_SUPPORT[engine].keys[key];
  if ('refused' in support) return refused(`engine ${engine} cannot take outbound.${key}: ${support.refused}`);
  const absent = key === 'starttlsTimeout' ? 'outbound.timeout, else the product\'s own default' : "the product's own default";
  return schema.optional().describe(`engine ${engine} writes outbound.${key} into ${support.setting}; absent: ${absent}`);
}

function engineInbound(engine: RealEngineName) {
  return z.strictObject({
    /** Which modes the engine can do is checked on the hop (engineStarttlsProblem): the hint names the hop. */
    starttls: InboundStarttls.default('offer'),
    cert: CertKind.default('valid'),
    tls: cannotTake(engine, 'inbound.tls'),
    greetingDelay: cannotTake(engine, 'inbound.greetingDelay'),
    received: cannotTake(engine, 'inbound.received'),
  });
}

/**
 * The engines that can route by MX in the run's DNS and apply DANE there (harness/engines/engine-dns.ts): Postfix
 * (`smtp_dns_support_level = dnssec`, `smtp_tls_security_level = dane | dane-only`) and Exim (a dnslookup router with
 * `dnssec_request_domains`, `hosts_try_dane` / `hosts_require_dane`), as observed with Postfix 3.7 and Exim 4.96
 * (test/engines/dane-fidelity.test.ts).
 */
export const DNS_ENGINES: readonly RealEngineName[] = ['postfix', 'exim'];

/** `route` and `dane` for an engine that routes by MX, else their refusals. */
function dnsKeys(engine: RealEngineName) {
  if (DNS_ENGINES.includes(engine)) {
    return {
      /** `mx`: MX lookup in the run's DNS (its private resolv.conf names the run's server); absent: the next hop. */
      route: Route.optional(),
    };
  }
  return { route: refused(`engine ${engine} cannot take outbound.route: mailhop runs only postfix and exim against the run's DNS; ${engine} relays to the next hop`) };
}

/**
 * `mtaSts` on Postfix, the one engine mailhop runs as an MTA-STS sender (RFC 8461): postfix-mta-sts-resolver answers
 * its smtp_tls_policy_maps (harness/engines/mta-sts-daemon.ts); else its refusal. `mtaStsCache` never: the resolver
 * starts each run with an empty cache.
 */
function stsKeys(engine: RealEngineName) {
  const mtaStsCache = refused(`engine ${engine} cannot take outbound.mtaStsCache: ${engine === 'postfix' ? 'its policy resolver (postfix-mta-sts-resolver) starts each run with an empty cache' : 'it has no MTA-STS'}`);
  if (engine === 'postfix') return { mtaSts: MtaSts.optional(), mtaStsCache };
  return { mtaSts: refused(`engine ${engine} cannot take outbound.mtaSts: it has no MTA-STS of its own; mailhop runs only postfix (with postfix-mta-sts-resolver) as an MTA-STS sender`), mtaStsCache };
}

/** `dane` on an opportunistic engine that may route by MX, else its refusal. */
function daneKey(engine: RealEngineName) {
  if (DNS_ENGINES.includes(engine)) return { dane: Dane.optional() };
  return { dane: refused(`engine ${engine} cannot take outbound.dane: mailhop runs only postfix and exim as DANE clients`) };
}

/** `dane` beside a `tls` that requires TLS: the product's DANE level replaces its TLS level, so the two do not combine. */
function daneBeside(engine: RealEngineName, tls: string) {
  return refused(`engine ${engine} cannot take outbound.dane beside tls: ${tls}: its DANE level replaces its TLS level (a zone without usable TLSA records gets opportunistic TLS); leave tls: opportunistic`);
}

/** How an engine relays: one variant per `tls` value it can do (absent means opportunistic). */
function engineOutbound(engine: RealEngineName) {
  const support = ENGINE_SUPPORT[engine];
  const [own, ...others] = support.fallback;
  const common = {
    retry: cannotTake(engine, 'outbound.retry'),
    maxAge: cannotTake(engine, 'outbound.maxAge'),
    /** Real-time limit for connecting and for each reply (and the handshake, unless `starttlsTimeout`), ms; absent: the product's own. */
    timeout: outboundKey(engine, 'timeout', engineSeconds(engine, 'timeout')),
    replies: cannotTake(engine, 'outbound.replies'),
    concurrencyLimit: cannotTake(engine, 'outbound.concurrencyLimit'),
    reuse: cannotTake(engine, 'outbound.reuse'),
    ...dnsKeys(engine),
    ...stsKeys(engine),
  };
  const tlsKeys = {
    /** The OpenSSL cipher string the engine offers (TLS 1.2 and below); absent: the product's own list. */
    tlsCiphers: outboundKey(engine, 'tlsCiphers', EngineCipherString),
    tlsMinVersion: cannotTake(engine, 'outbound.tlsMinVersion'),
    tlsMaxVersion: cannotTake(engine, 'outbound.tlsMaxVersion'),
    tlsResumption: cannotTake(engine, 'outbound.tlsResumption'),
    /** Real-time limit for the TLS handshake after the 220 to STARTTLS, ms; absent: `timeout`, else the product's own. */
    starttlsTimeout: outboundKey(engine, 'starttlsTimeout', engineSeconds(engine, 'starttlsTimeout')),
  };
  const fallback = Fallback.default(own).refine((f) => support.fallback.includes(f), {
    error: (iss) => `engine ${engine} cannot do outbound.fallback: ${String(iss.input)}; after a failed handshake it ${FALLBACK_WORDS[own]}${others.length ? ` (or ${others.join(', ')})` : ''}`,
  });
  const shared = sharedLimit(engine);
  const variants = {
    none: z.strictObject({ tls: z.literal('none'), ...common }),
    opportunistic: z.strictObject({
      tls: z.literal('opportunistic').default('opportunistic'),
      ...common,
      ...tlsKeys,
      fallback,
      ...daneKey(engine),
      fallbackAfter: cannotTake(engine, 'outbound.fallbackAfter'),
      starttlsRejected: z.literal('continue', {
        error: (iss) => `engine ${engine} cannot do outbound.starttlsRejected: ${String(iss.input)}; opportunistically it goes on in plaintext after a 4xx/5xx to STARTTLS`,
      }).default('continue'),
    }).superRefine(shared),
    mandatory: z.strictObject({ tls: z.literal('mandatory'), ...common, ...tlsKeys, dane: daneBeside(engine, 'mandatory') }).superRefine(shared),
    verify: z.strictObject({ tls: z.literal('verify'), ...common, ...tlsKeys, dane: daneBeside(engine, 'verify') }).superRefine(shared),
  };
  type Variant = (typeof variants)[EngineOutboundTls];
  const supported = support.outbound.map((tls) => variants[tls]) as [Variant, ...Variant[]];
  return z.discriminatedUnion('tls', supported, {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined;
      const tls = (iss.input as { tls?: unknown } | undefined)?.tls;
      return `engine ${engine} cannot do outbound.tls: ${String(tls)}${outboundReason(tls)}; it supports ${support.outbound.join(', ')}`;
    },
  });
}

/**
 * The inbound STARTTLS mode, judged on the whole hop since the hint names it: a real MTA cannot fake STARTTLS
 * (a link fault in front of it can), and not every engine can offer it. Reads the value defensively: it runs
 * beside the hop's other problems.
 */
function engineStarttlsProblem(engine: RealEngineName, hop: unknown, ctx: z.core.$RefinementCtx): void {
  const { id, inbound } = (hop ?? {}) as { id?: unknown; inbound?: { starttls?: unknown } };
  const starttls = InboundStarttls.safeParse(inbound?.starttls ?? 'offer');
  if (!starttls.success || ENGINE_SUPPORT[engine].inbound.includes(starttls.data)) return;
  const mode = starttls.data;
  const message = FAKE_MODES.includes(mode)
    ? `engine ${engine} cannot fake STARTTLS (inbound.starttls: ${mode}): a real MTA answers honestly; put a link fault in front instead (links: [{ from: ..., to: ${typeof id === 'string' ? id : '<this hop>'}, fault: ... }])`
    : `engine ${engine} cannot do inbound.starttls: ${mode}${inboundReason(engine, mode)}; it supports ${ENGINE_SUPPORT[engine].inbound.join(', ')}`;
  ctx.addIssue({ code: 'custom', path: ['inbound', 'starttls'], message, input: hop });
}

/**
 * The outbound keys the engine cannot take, when `outbound.tls` is a policy it cannot do: the union then stops
 * at `tls`, and this reports the rest, so `{ tls: verify, retry: [1m] }` gives both problems at once.
 */
function outboundKeysBesideUnsupportedTls(engine: RealEngineName, hop: unknown, ctx: z.core.$RefinementCtx): void {
  const outbound = (hop as { outbound?: unknown } | undefined)?.outbound;
  if (!outbound || typeof outbound !== 'object') return;
  const tls = (outbound as { tls?: unknown }).tls;
  if (typeof tls !== 'string' || (ENGINE_SUPPORT[engine].outbound as readonly string[]).includes(tls)) return;
  const refusals = refusedOutboundKeys(engine);
  for (const key of Object.keys(outbound)) {
    const why = refusals[`outbound.${key}`];
    if (why !== undefined) ctx.addIssue({ code: 'custom', path: ['outbound', key], message: `engine ${engine} cannot take outbound.${key}: ${why}`, input: hop });
  }
}

/** The schema of a hop run by `engine`. */
export function engineHop<E extends RealEngineName>(engine: E) {
  return z
    .strictObject({
      id: HopId,
      engine: z.literal(engine),
      host: refused(`engine ${engine} cannot take host: mailhop picks a free loopback address for the engines it starts`),
      port: refused(`engine ${engine} cannot take port: mailhop picks a free loopback address for the engines it starts`),
      preset: refused(`engine ${engine} runs the real MTA; preset: is for mock hops (choose one of them)`),
      inbound: engineInbound(engine).prefault({}),
      outbound: engineOutbound(engine).prefault({}),
    })
    .superRefine(
      (hop, ctx) => {
        engineStarttlsProblem(engine, hop, ctx);
        outboundKeysBesideUnsupportedTls(engine, hop, ctx);
      },
      { when: () => true },
    );
}

/** How a real engine receives mail: an honest STARTTLS mode it supports, and the certificate it presents. */
export type EngineInbound = z.output<ReturnType<typeof engineInbound>>;
/** How a real engine relays: `none`, `opportunistic` (with its own fallback flavour), `mandatory` or `verify`, with the keys it takes. */
export type EngineOutbound = z.output<ReturnType<typeof engineOutbound>>;
