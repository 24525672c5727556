/**
 * The inbound side of a mock MTA: an honest smtp-server configured for one inbound STARTTLS mode
 * (RFC 3207; docs/behaviour.md#servers). Modes smtp-server cannot say (its STARTTLS always answers
 * 220) put a front before it (mta/fronts/): the front owns the hop's address and the honest
 * server listens on an internal loopback port. Accepted messages get a Received header and are
 * handed to the hop's queue (or mailbox) before the 250 is sent: from then on the hop owns them
 * (RFC 5321 §6.1). What a peer can make the hop hold is bounded (hop-limits.ts).
 */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Inbound } from '../scenario/schema.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { NewEvent } from '../trace/events.js';
import { installGreetingDelayPatch } from './greeting-delay.js';
import { installOwnEnhancedCodesPatch } from './own-enhanced-codes.js';
import { installEhloShapePatch } from './ehlo-shape.js';
import { requireTlsServerOptions } from './requiretls-params.js';
import { hopAuthOptions } from './hop-auth.js';
import type { AssignId } from './id-claim.js';
import { receiveData, type AcceptedMessage, type HopIntake } from './hop-accept.js';
import { frontFor } from './fronts/front-for.js';
import { sessionExporter } from './tls-exporter.js';
import { serverTlsOptions } from './server-tls.js';
import { startFront, type StartedFront } from './fronts/front-runner.js';
import { hopLimits, type HopLimits } from './hop-limits.js';
import { HeldBytes } from './message-intake.js';
import { SessionLifetimes } from './session-lifetime.js';
import { unicodeWithoutSmtputf8 } from './smtputf8.js';
import { listenFailure, MailhopError } from '../errors.js';

export type { AcceptedMessage } from './hop-accept.js';

export interface HopServerOptions {
  hopId: string;
  hostname: string;
  inbound: Inbound;
  keyCert: KeyCert;
  /** Name of the link that delivers into this hop (`a->b`), for events. */
  inboundLink: string;
  /** Records a receiver event (the chain's trace numbers and timestamps it). */
  emit: (event: NewEvent) => void;
  /** Virtual now, as the date of the Received header the hop writes. */
  date: () => Date;
  /** Called synchronously with each accepted message, before the 250 reply; a promise it returns delays the 250 until it resolves. */
  onMessage: (message: AcceptedMessage) => void;
  /** Loopback address to bind (default 127.0.0.1), port 0 = ephemeral. */
  host?: string;
  port?: number;
  /** Limits on what a peer can make the hop hold; each key defaults to {@link DEFAULT_HOP_LIMITS}. @throws MailhopError `EUSAGE` from {@link hopLimits} */
  limits?: Partial<HopLimits>;
  /**
   * For mail sent by hand (`mailhop up`): who settles each message's id (id-claim.ts). The hop tells it the
   * `X-Mailhop-Id` and `X-Mailhop-Seal` the message carries, if any, and the session's peer; a message whose
   * claim is not believed (none, a header of its own, a replay) gets the fresh id it answers, its own header
   * renamed `X-Mailhop-Original-Id`. Without it every id is believed and a message without one is refused (550).
   */
  assignId?: AssignId;
}

/** A listening hop server. */
export interface StartedHopServer extends AsyncDisposable {
  /** Where senders connect: the front when the mode has one, else the smtp-server itself. */
  readonly address: { host: string; port: number };
  /** Bytes of DATA content held for transactions still arriving, now and at most at once since the start. */
  held(): { bytes: number; peakBytes: number };
  stop(): Promise<void>;
}

/** Starts a hop's SMTP server. @throws MailhopError `EBIND` (with `hop`) when the address cannot be bound; a front's own listen error as it comes. */
export async function startHopServer(opts: HopServerOptions): Promise<StartedHopServer> {
  for (const install of [installGreetingDelayPatch, installOwnEnhancedCodesPatch, installEhloShapePatch]) install();
  const { inbound, emit, date } = opts;
  let started: StartedFront | undefined;
  const receiverEvent = { source: 'receiver', link: opts.inboundLink, hop: opts.hopId } as const;
  const front = frontFor(inbound, {
    tls: { key: opts.keyCert.key, cert: opts.keyCert.cert, ...serverTlsOptions(inbound) },
    refused: (reply) => emit({ kind: 'refused-command', ...receiverEvent, command: 'STARTTLS', reply }),
    injected: (commands, clientPort) => emit({ kind: 'starttls-injection', ...receiverEvent, commands, serverPort: clientPort }),
  });
  const mode = front?.inner ?? inbound.starttls;
  const limits = hopLimits(opts.limits);
  const held = new HeldBytes();
  // onConnect comes once the greeting delay is over: the cap counts from there.
  const lifetimes = new SessionLifetimes(() => server, limits.sessionLifetimeMs, opts.hostname);
  const protocols = new Map<string, string>();
  /** Per session: the TLS exporter value, when this server's TLS session is the sender's (not behind a TLS-terminating front). */
  const exporters = new Map<string, string>();
  const sameSessionAsSender = !front?.terminatesTls;
  const intake: HopIntake = {
    hopId: opts.hopId, hostname: opts.hostname, inbound, inboundLink: opts.inboundLink, limits, held, emit, date,
    onMessage: opts.onMessage, assignId: opts.assignId, protocols, exporters,
    clientOf: (remote) => (started ? started.clientOf(remote) : remote),
  };

  const server = new SMTPServer({
    name: opts.hostname,
    banner: 'mailhop', // smtp-server writes `220 <name> ESMTP <banner>`
    secure: mode === 'implicit',
    key: opts.keyCert.key, cert: opts.keyCert.cert,
    ...serverTlsOptions(inbound),
    hideSTARTTLS: mode === 'hidden',
    ...requireTlsServerOptions(inbound.requireTls, (reply) => emit({ kind: 'refused-command', ...receiverEvent, command: 'MAIL FROM', reply })),
    ...hopAuthOptions(inbound.auth, mode),
    ...(inbound.ehlo ? { ehloShape: inbound.ehlo } : {}),
    hideENHANCEDSTATUSCODES: false, authOptional: true,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    size: limits.maxMessageBytes,
    rejectOversized: true, // 552 5.3.4, whatever onData decides (message-intake.ts)
    maxRecipients: limits.maxRecipients, // 452 4.5.3 Error: too many recipients
    socketTimeout: limits.idleTimeoutMs,
    greetingDelayMs: inbound.greetingDelay,
    onConnect(session, callback) {
      lifetimes.start(session.id);
      callback();
    },
    onSecure(socket, session, callback) {
      // getCipher().version is the suite's minimum protocol version, not the negotiated one;
      // remember getProtocol() per session for the Received header and the receiver's account.
      protocols.set(session.id, (socket as import('node:tls').TLSSocket).getProtocol() ?? 'unknown');
      const exporter = sameSessionAsSender ? sessionExporter(socket as import('node:tls').TLSSocket) : undefined;
      if (exporter) exporters.set(session.id, exporter);
      callback();
    },
    onClose(session) {
      lifetimes.end(session.id);
      protocols.delete(session.id);
      exporters.delete(session.id);
    },
    onMailFrom(address, session, callback) {
      callback(mailFromRefusal(address, session, mode === 'require' ? requireReplyOf(inbound) : undefined, (reply) => emit({ kind: 'refused-command', ...receiverEvent, command: 'MAIL FROM', reply })));
    },
    onRcptTo(address, session, callback) {
      const refusal = session.envelope.mailFrom ? unicodeWithoutSmtputf8(address, session.envelope.mailFrom) : undefined;
      callback(refusal ?? undefined);
    },
    onData(stream, session, callback) {
      receiveData(intake, stream, session, callback);
    },
  } as ConstructorParameters<typeof SMTPServer>[0]);
  server.on('error', () => {
    // connection-level errors (resets, TLS alerts) are seen by the witnesses; the server stays up
  });

  const listening = await listenHop(server, front, opts, limits.sessionLifetimeMs);
  started = listening.front;
  return { ...listening.hop, held: () => ({ bytes: held.bytes, peakBytes: held.peak }) };
}

/**
 * Listens: the honest server on the hop's address, or, with a front, on an internal ephemeral port with the
 * front on the hop's. @throws MailhopError `EBIND` (with `hop`) when the address cannot be bound.
 */
async function listenHop(
  server: SMTPServer,
  front: ReturnType<typeof frontFor>,
  opts: HopServerOptions,
  sessionLifetimeMs: number,
): Promise<{ hop: Omit<StartedHopServer, 'held'>; front?: StartedFront }> {
  const host = opts.host ?? '127.0.0.1';
  const port = front ? 0 : (opts.port ?? 0);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(MailhopError.of('EBIND', { where: `hop ${opts.hopId}`, what: `listen on ${host}:${port}`, why: listenFailure(err), hop: opts.hopId, cause: err }));
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const inner = { host, port: (server.server.address() as AddressInfo).port };
  let started: StartedFront | undefined;
  if (front) {
    try {
      // The inner server's 421 at the cap passes through the front first; the front's own cap ends connections
      // a behaviour took over (a stalled handshake), which the inner server no longer sees.
      started = await startFront({ behaviour: front.behaviour, inner, host, port: opts.port, lifetimeMs: sessionLifetimeMs + (opts.inbound.greetingDelay ?? 0) + FRONT_CAP_GRACE_MS });
    } catch (err) {
      await stopServer();
      throw err;
    }
  }
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= Promise.all([started?.stop(), stopServer()]).then(() => undefined));
  return { hop: { address: started?.address ?? inner, stop, [Symbol.asyncDispose]: stop }, ...(started ? { front: started } : {}) };
}

/**
 * Why MAIL FROM is refused, if it is: an internationalised address without SMTPUTF8 (RFC 6531 §3.4), or, on a
 * hop that requires TLS, a session still in plaintext (RFC 3207 §4: 530 to all but NOOP, EHLO, STARTTLS, QUIT).
 */
function mailFromRefusal(address: SMTPServerAddress, session: SMTPServerSession, requireReply: string | undefined, refused: (reply: string) => void): Error | undefined {
  const refusal = unicodeWithoutSmtputf8(address, address);
  if (refusal) return refusal;
  if (requireReply === undefined || session.secure) return undefined;
  refused(requireReply);
  const [, code, text] = /^(\d{3}) ?(.*)$/.exec(requireReply)!;
  // The line's own enhanced code goes out as written (own-enhanced-codes.ts); the default's is smtp-server's 5.7.0.
  return Object.assign(new Error(text), { responseCode: Number(code) });
}

/** The reply of a `require` hop to MAIL before STARTTLS. */
function requireReplyOf(inbound: Inbound): string {
  return (inbound.starttls === 'require' && inbound.requireReply) || DEFAULT_REQUIRE_REPLY;
}

/** Postfix's reply under smtpd_tls_security_level = encrypt (mailhop's `require` since the start). */
const DEFAULT_REQUIRE_REPLY = '530 5.7.0 Must issue a STARTTLS command first';

/** How much longer than the inner server a front lets a connection live, ms. */
const FRONT_CAP_GRACE_MS = 2_000;
