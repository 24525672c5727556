/**
 * A hop run by a real MTA (`engine: postfix | sendmail | exim | opensmtpd`): one schema variant per engine,
 * holding only what mailhop can configure on it, so anything else is a located problem that names the engine
 * and the option, and a parsed engine hop carries no mock-only key (no retry schedule, no Received format).
 *
 * The support table follows the settings mailhop writes (harness/engines/postfix.ts and its siblings) and the
 * fallback flavours each product has after a failed handshake (docs/behaviour.md#B-fallback: Postfix defers
 * and falls back on a later attempt, Sendmail never falls back unless TLSFallbacktoClear is set, Exim and
 * OpenSMTPD reconnect in plaintext at once). OpenSMTPD 6.8.0p2 on Debian 12 fails every inbound TLS handshake
 * with OpenSSL 3 ("missing private key", OpenSMTPD issue #1171), so it takes inbound `none` only.
 */
import { z } from 'zod';
import { RealWait } from './duration.js';
import { CertKind, Fallback, InboundStarttls } from './policies.js';
import { HopId, type RealEngineName } from './hop-kind.js';

/** The outbound policies a real engine can be configured with (no `verify`, no `preserve-inbound`). */
export type EngineOutboundTls = 'none' | 'opportunistic' | 'mandatory';

/** What one engine supports. A value absent from a list is a scenario problem. */
export interface EngineSupport {
  inbound: readonly InboundStarttls[];
  outbound: readonly EngineOutboundTls[];
  /** Fallback flavours after a failed handshake (`outbound.fallback`); the first one is the engine's own, its default. */
  fallback: readonly [Fallback, ...Fallback[]];
  /** Whether it can be the last hop (the final mailbox, delivering into a Maildir). */
  mailbox: boolean;
}

export const ENGINE_SUPPORT: Readonly<Record<RealEngineName, EngineSupport>> = {
  postfix: { inbound: ['offer', 'none', 'require'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['next-attempt'], mailbox: true },
  sendmail: { inbound: ['offer', 'none'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['never', 'reconnect'], mailbox: false },
  exim: { inbound: ['offer', 'none', 'require'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['reconnect', 'never'], mailbox: true },
  opensmtpd: { inbound: ['none'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['reconnect'], mailbox: false },
};

/** Why a mock hop's key cannot be set on a real engine. */
const FIXED_KEYS = {
  'inbound.tls': "its TLS versions and ciphers are its own (Debian's defaults)",
  'inbound.greetingDelay': 'it greets at once',
  'inbound.received': 'it writes its own Received header',
  'outbound.tlsCiphers': 'it offers its own cipher list',
  'outbound.tlsMinVersion': 'it offers its own TLS versions',
  'outbound.tlsMaxVersion': 'it offers its own TLS versions',
  'outbound.retry': 'it retries on its own real-time schedule (every 1-3 s, as mailhop configures it)',
  'outbound.maxAge': 'its queue lifetime is its own (the run ends long before)',
  'outbound.timeout': 'its timeouts are its own',
  'outbound.concurrencyLimit': 'its destination concurrency is its own',
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
  if (tls === 'preserve-inbound') return ' (no real MTA here does that; use a mock hop, e.g. preset: messagelabs)';
  if (tls === 'verify') return ' (not configured by mailhop yet; use mandatory, or a mock hop)';
  return '';
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

/** How an engine relays: one variant per `tls` value it can do (absent means opportunistic). */
function engineOutbound(engine: RealEngineName) {
  const support = ENGINE_SUPPORT[engine];
  const [own, ...others] = support.fallback;
  const common = {
    retry: cannotTake(engine, 'outbound.retry'),
    maxAge: cannotTake(engine, 'outbound.maxAge'),
    timeout: cannotTake(engine, 'outbound.timeout'),
    replies: cannotTake(engine, 'outbound.replies'),
    concurrencyLimit: cannotTake(engine, 'outbound.concurrencyLimit'),
  };
  const tlsKeys = {
    tlsCiphers: cannotTake(engine, 'outbound.tlsCiphers'),
    tlsMinVersion: cannotTake(engine, 'outbound.tlsMinVersion'),
    tlsMaxVersion: cannotTake(engine, 'outbound.tlsMaxVersion'),
    /** Accepted as on a mock hop; the configuration mailhop writes keeps the engine's own handshake timeout. */
    starttlsTimeout: RealWait.optional(),
  };
  const fallback = Fallback.default(own).refine((f) => support.fallback.includes(f), {
    error: (iss) => `engine ${engine} cannot do outbound.fallback: ${String(iss.input)}; after a failed handshake it ${FALLBACK_WORDS[own]}${others.length ? ` (or ${others.join(', ')})` : ''}`,
  });
  const variants = {
    none: z.strictObject({ tls: z.literal('none'), ...common }),
    opportunistic: z.strictObject({
      tls: z.literal('opportunistic').default('opportunistic'),
      ...common,
      ...tlsKeys,
      fallback,
      fallbackAfter: cannotTake(engine, 'outbound.fallbackAfter'),
      starttlsRejected: z.literal('continue', {
        error: (iss) => `engine ${engine} cannot do outbound.starttlsRejected: ${String(iss.input)}; opportunistically it goes on in plaintext after a 4xx/5xx to STARTTLS`,
      }).default('continue'),
    }),
    mandatory: z.strictObject({ tls: z.literal('mandatory'), ...common, ...tlsKeys }),
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
  for (const key of Object.keys(outbound)) {
    const fixed = `outbound.${key}`;
    if (fixed in FIXED_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['outbound', key], message: `engine ${engine} cannot take ${fixed}: ${FIXED_KEYS[fixed as keyof typeof FIXED_KEYS]}`, input: hop });
    }
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
/** How a real engine relays: `none`, `opportunistic` (with its own fallback flavour) or `mandatory`. */
export type EngineOutbound = z.output<ReturnType<typeof engineOutbound>>;
