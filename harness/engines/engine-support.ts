/**
 * What each real MTA can be configured to do as a hop, and the scenario errors for everything else.
 * Checked on the hop as written (before defaults and presets are filled in), so only keys the
 * scenario really gives are judged, and each problem names the engine and the option.
 *
 * The table follows the settings mailhop writes (docs/real-mtas.md#postfix and the sections after
 * it) and the fallback flavours observed with each engine (docs/behaviour.md#B-fallback: Postfix
 * defers and falls back on a later attempt, Sendmail never falls back unless TLSFallbacktoClear is
 * set, Exim and OpenSMTPD reconnect in plaintext at once); docs/real-mtas.md#opensmtpd for
 * OpenSMTPD's broken inbound STARTTLS.
 */
import type { Fallback, InboundStarttls, OutboundTls } from '../scenario/schema.js';
import type { RealEngineName } from '../trace/events.js';

/** What one engine supports. Values absent from a list are scenario errors. */
export interface EngineSupport {
  inbound: readonly InboundStarttls[];
  outbound: readonly OutboundTls[];
  /** Fallback flavours after a failed handshake (`outbound.fallback`); the first one is the engine's own. */
  fallback: readonly Fallback[];
  /** Whether it can be the last hop (final mailbox, delivering into a Maildir). */
  mailbox: boolean;
}

export const ENGINE_SUPPORT: Readonly<Record<RealEngineName, EngineSupport>> = {
  postfix: { inbound: ['offer', 'none', 'require'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['next-attempt'], mailbox: true },
  sendmail: { inbound: ['offer', 'none'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['never', 'reconnect'], mailbox: false },
  exim: { inbound: ['offer', 'none', 'require'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['reconnect', 'never'], mailbox: true },
  opensmtpd: { inbound: ['none'], outbound: ['none', 'opportunistic', 'mandatory'], fallback: ['reconnect'], mailbox: false },
};

/** A problem at a path inside the hop. */
export interface HopProblem {
  path: Array<string | number>;
  message: string;
}

const REAL = Object.keys(ENGINE_SUPPORT) as RealEngineName[];
const FAKE_MODES = ['fake-454', 'fake-502', 'fake-reply', 'break-handshake', 'vulnerable-injection'];

/** Why an inbound or outbound key cannot be set on a real engine. */
const FIXED_KEYS: Record<string, string> = {
  'inbound.tls': "its TLS versions and ciphers are its own (Debian's defaults)",
  'inbound.greetingDelay': 'it greets at once',
  'inbound.received': 'it writes its own Received header',
  'outbound.tlsCiphers': 'it offers its own cipher list',
  'outbound.retry': 'it retries on its own real-time schedule (every 1-3 s, as mailhop configures it)',
  'outbound.maxAge': 'its queue lifetime is its own (the run ends long before)',
  'outbound.timeout': 'its timeouts are its own',
  'outbound.concurrencyLimit': 'its destination concurrency is its own',
  'outbound.replies': 'it uses its own reply texts',
  'outbound.fallbackAfter': 'Postfix falls back once the message is minimal_backoff_time old (3 s in the configuration mailhop writes)',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRealEngine(engine: unknown): engine is RealEngineName {
  return typeof engine === 'string' && (REAL as string[]).includes(engine);
}

/** Problems of one hop as written in the scenario (raw YAML/JSON value). */
export function engineHopProblems(raw: unknown): HopProblem[] {
  if (!isRecord(raw)) return [];
  const { engine } = raw;
  const problems: HopProblem[] = [];
  const hostPort = (['host', 'port'] as const).filter((k) => raw[k] !== undefined);
  if (engine === 'external') {
    if (raw.host === undefined) problems.push({ path: ['host'], message: 'engine external needs host: the address of the server mailhop does not start (an IPv4 address)' });
    if (raw.port === undefined) problems.push({ path: ['port'], message: 'engine external needs port: where the server listens for SMTP' });
    for (const key of ['inbound', 'outbound', 'preset']) {
      if (raw[key] !== undefined) problems.push({ path: [key], message: `engine external cannot take ${key}: mailhop does not configure a server it does not start; configure the gateway itself` });
    }
    return problems;
  }
  if (!isRealEngine(engine)) return problems; // mock (or an unknown value zod reports); host/port are checked per chain
  for (const key of hostPort) {
    problems.push({ path: [key], message: `engine ${engine} cannot take ${key}: mailhop picks a free loopback address for the engines it starts` });
  }
  if (raw.preset !== undefined) {
    problems.push({ path: ['preset'], message: `engine ${engine} runs the real MTA; preset: is for mock hops (choose one of them)` });
  }
  const support = ENGINE_SUPPORT[engine];
  const inbound = isRecord(raw.inbound) ? raw.inbound : {};
  const outbound = isRecord(raw.outbound) ? raw.outbound : {};
  const starttls = inbound.starttls ?? 'offer';
  if (typeof starttls === 'string' && FAKE_MODES.includes(starttls)) {
    problems.push({
      path: ['inbound', 'starttls'],
      message: `engine ${engine} cannot fake STARTTLS (inbound.starttls: ${starttls}): a real MTA answers honestly; put a link fault in front instead (links: [{ from: ..., to: ${String(raw.id ?? '<this hop>')}, fault: ... }])`,
    });
  } else if (typeof starttls === 'string' && !(support.inbound as string[]).includes(starttls)) {
    problems.push({ path: ['inbound', 'starttls'], message: `engine ${engine} cannot do inbound.starttls: ${starttls}${inboundReason(engine, starttls)}; it supports ${support.inbound.join(', ')}` });
  }
  const tls = outbound.tls ?? 'opportunistic';
  if (typeof tls === 'string' && !(support.outbound as string[]).includes(tls)) {
    problems.push({ path: ['outbound', 'tls'], message: `engine ${engine} cannot do outbound.tls: ${tls}${outboundReason(tls)}; it supports ${support.outbound.join(', ')}` });
  }
  if (typeof outbound.fallback === 'string' && !(support.fallback as string[]).includes(outbound.fallback)) {
    problems.push({
      path: ['outbound', 'fallback'],
      message: `engine ${engine} cannot do outbound.fallback: ${outbound.fallback}; after a failed handshake it ${FALLBACK_WORDS[support.fallback[0]]}${support.fallback.length > 1 ? ` (or ${support.fallback.slice(1).join(', ')})` : ''}`,
    });
  }
  if (outbound.starttlsRejected === 'defer') {
    problems.push({ path: ['outbound', 'starttlsRejected'], message: `engine ${engine} cannot do outbound.starttlsRejected: defer; opportunistically it goes on in plaintext after a 4xx/5xx to STARTTLS` });
  }
  for (const [side, keys] of [['inbound', inbound], ['outbound', outbound]] as const) {
    for (const key of Object.keys(keys)) {
      const why = FIXED_KEYS[`${side}.${key}`];
      if (why) problems.push({ path: [side, key], message: `engine ${engine} cannot take ${side}.${key}: ${why}` });
    }
  }
  return problems;
}

const FALLBACK_WORDS: Record<Fallback, string> = {
  'next-attempt': 'defers and falls back to plaintext on a later attempt (next-attempt)',
  never: 'defers and retries with TLS, never in plaintext (never)',
  reconnect: 'reconnects in plaintext at once (reconnect)',
};

function inboundReason(engine: RealEngineName, starttls: string): string {
  if (engine === 'opensmtpd' && (starttls === 'offer' || starttls === 'require')) {
    return " (Debian 12's OpenSMTPD 6.8.0p2 fails every inbound TLS handshake with OpenSSL 3: \"missing private key\", OpenSMTPD#1171)";
  }
  return '';
}

function outboundReason(tls: string): string {
  if (tls === 'preserve-inbound') return ' (no real MTA here does that; use a mock hop, e.g. preset: messagelabs)';
  if (tls === 'verify') return ' (not configured by mailhop yet; use mandatory, or a mock hop)';
  return '';
}

/** Problems that involve several hops: where engines can stand in the chain. */
export function chainEngineProblems(written: ReadonlyArray<{ engine?: string; host?: string; port?: number }>): HopProblem[] {
  const problems: HopProblem[] = [];
  const hops = written.map((h) => ({ ...h, engine: h.engine ?? 'mock' }));
  hops.forEach((hop, i) => {
    const last = i === hops.length - 1;
    const previous = hops[i - 1];
    if (hop.engine === 'external' && last) {
      problems.push({ path: [i, 'engine'], message: 'engine external cannot be the last hop: add a hop after it (a mock that listens where the gateway relays to)' });
    }
    if (hop.engine === 'external' && !last && hops[i + 1].engine !== 'mock') {
      problems.push({ path: [i + 1, 'engine'], message: `the hop after an external one must be a mock (engine ${hops[i + 1].engine} cannot listen where the gateway relays to)` });
    }
    if (isRealEngine(hop.engine) && last && !ENGINE_SUPPORT[hop.engine].mailbox) {
      problems.push({ path: [i, 'engine'], message: `engine ${hop.engine} cannot be the last hop (final mailbox); put a mock hop after it` });
    }
    // The first hop may take port: alone, its fixed "send to" port (chain/proxy-ports.ts); it always listens on loopback.
    const placed = i === 0 ? hop.host !== undefined : hop.host !== undefined || hop.port !== undefined;
    if (hop.engine === 'mock' && placed && previous?.engine !== 'external') {
      problems.push({
        path: [i, hop.host !== undefined ? 'host' : 'port'],
        message: i === 0
          ? 'host on the first hop: its "send to" address is always on loopback; port: alone fixes the port'
          : 'host and port on a mock hop only say where it listens for the external gateway before it (or, port: on the first hop, where mail is sent to); the previous hop is not engine external',
      });
    }
  });
  return problems;
}
