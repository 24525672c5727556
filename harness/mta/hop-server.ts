/**
 * The inbound side of a mock MTA: an honest smtp-server configured for one inbound STARTTLS mode
 * (RFC 3207; tls-behaviour.md §2.1). Modes smtp-server cannot say (its STARTTLS always answers
 * 220) put a front before it (mta/fronts/): the front owns the hop's address and the honest
 * server listens on an internal loopback port. Accepted messages get a Received header and are
 * handed to the hop's queue (or mailbox) before the 250 is sent: from then on the hop owns them
 * (RFC 5321 §6.1).
 */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Inbound, TlsVersion } from '../scenario/schema.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { Trace } from '../trace/trace.js';
import type { VirtualClock } from '../chain/virtual-clock.js';
import { installGreetingDelayPatch } from './greeting-delay.js';
import { headerValues, receivedByHost, receivedHeader } from './received-header.js';
import { applyIdDecision, claimOf, ID_HEADER, type AssignId, type IdDecision } from './id-claim.js';
import type { InboundFact } from './effective-policy.js';
import { frontFor } from './fronts/front-for.js';
import { sessionExporter } from './tls-exporter.js';
import { startFront, type StartedFront } from './fronts/front-runner.js';

/** A message as a hop accepted it. */
export interface AcceptedMessage {
  /** mailhop's id from the `X-Mailhop-Id` header. */
  id: string;
  from: string;
  to: string[];
  /** The message with this hop's Received header prepended. */
  raw: Buffer;
  /** How it arrived: TLS version and cipher, or null for plaintext (or an eNULL "TLS" session). */
  inbound: InboundFact | null;
}

export interface HopServerOptions {
  hopId: string;
  hostname: string;
  inbound: Inbound;
  keyCert: KeyCert;
  /** Name of the link that delivers into this hop (`a->b`), for events. */
  inboundLink: string;
  trace: Trace;
  clock: VirtualClock;
  /** Called synchronously with each accepted message, before the 250 reply. */
  onMessage: (message: AcceptedMessage) => void;
  /** Loopback address to bind (default 127.0.0.1), port 0 = ephemeral. */
  host?: string;
  port?: number;
  /** Largest message accepted, bytes (default 10 MiB). */
  maxSize?: number;
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
  stop(): Promise<void>;
}

/** The hop's server-side TLS versions and ciphers (Node `tls.SecureContextOptions` keys). */
function tlsOptions(inbound: Inbound): { minVersion?: TlsVersion; maxVersion?: TlsVersion; ciphers?: string } {
  const t = inbound.tls ?? {};
  const legacy = t.minVersion === 'TLSv1' || t.minVersion === 'TLSv1.1' || t.maxVersion === 'TLSv1' || t.maxVersion === 'TLSv1.1';
  return {
    ...(t.minVersion ? { minVersion: t.minVersion } : {}),
    ...(t.maxVersion ? { maxVersion: t.maxVersion } : {}),
    // OpenSSL 3 refuses TLS < 1.2 at the default security level (tls-behaviour.md §7); an explicit list wins.
    ...(t.ciphers ? { ciphers: t.ciphers } : legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
  };
}

/** Starts a hop's SMTP server. @throws Error when the address cannot be bound. */
export async function startHopServer(opts: HopServerOptions): Promise<StartedHopServer> {
  installGreetingDelayPatch();
  const { inbound, trace, clock } = opts;
  const receiverEvent = { source: 'receiver', link: opts.inboundLink, hop: opts.hopId } as const;
  const front = frontFor(inbound, {
    tls: { key: opts.keyCert.key, cert: opts.keyCert.cert, ...tlsOptions(inbound) },
    refused: (reply) => trace.emit({ kind: 'refused-command', ...receiverEvent, command: 'STARTTLS', reply }),
    injected: (commands, serverPort) => trace.emit({ kind: 'starttls-injection', ...receiverEvent, commands, serverPort }),
  });
  const mode = front?.inner ?? inbound.starttls;
  const maxSize = opts.maxSize ?? 10 * 1024 * 1024;
  const protocols = new Map<string, string>();
  /** Per session: the TLS exporter value, when this server's TLS session is the sender's (not behind a TLS-terminating front). */
  const exporters = new Map<string, string>();
  const sameSessionAsSender = !front?.terminatesTls;

  const server = new SMTPServer({
    name: opts.hostname,
    banner: 'mailhop', // smtp-server writes `220 <name> ESMTP <banner>`
    secure: mode === 'implicit',
    key: opts.keyCert.key,
    cert: opts.keyCert.cert,
    ...tlsOptions(inbound),
    hideSTARTTLS: mode === 'hidden',
    disabledCommands: mode === 'none' ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    hideENHANCEDSTATUSCODES: false,
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    size: maxSize,
    greetingDelayMs: inbound.greetingDelay,
    onSecure(socket, session, callback) {
      // getCipher().version is the suite's minimum protocol version, not the negotiated one;
      // remember getProtocol() per session for the Received header and the receiver's account.
      protocols.set(session.id, (socket as import('node:tls').TLSSocket).getProtocol() ?? 'unknown');
      const exporter = sameSessionAsSender ? sessionExporter(socket as import('node:tls').TLSSocket) : undefined;
      if (exporter) exporters.set(session.id, exporter);
      callback();
    },
    onClose(session) {
      protocols.delete(session.id);
      exporters.delete(session.id);
    },
    onMailFrom(address, session, callback) {
      const refusal = unicodeWithoutSmtputf8(address, address);
      if (refusal) return callback(refusal);
      if (mode === 'require' && !session.secure) {
        // RFC 3207 §4: a server requiring TLS answers 530 to everything but NOOP, EHLO, STARTTLS, QUIT.
        const err = Object.assign(new Error('Must issue a STARTTLS command first'), { responseCode: 530 });
        trace.emit({ kind: 'refused-command', ...receiverEvent, command: 'MAIL FROM', reply: '530 5.7.0 Must issue a STARTTLS command first' });
        return callback(err);
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      const refusal = session.envelope.mailFrom ? unicodeWithoutSmtputf8(address, session.envelope.mailFrom) : undefined;
      callback(refusal ?? undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(Object.assign(new Error('Message exceeds fixed maximum message size'), { responseCode: 552 }));
        }
        const body: Buffer = Buffer.concat(chunks);
        if (!opts.assignId) {
          const id = headerValues(body, ID_HEADER)[0];
          if (!id) return callback(Object.assign(new Error('Message has no X-Mailhop-Id header; mailhop only relays its own test messages'), { responseCode: 550 }));
          return accept(body, id);
        }
        const remote = { host: session.remoteAddress, port: session.remotePort };
        const decided = opts.assignId(claimOf(body, started ? started.clientOf(remote) : remote));
        const settle = (d: IdDecision) => accept(applyIdDecision(body, d), d.id);
        if (decided instanceof Promise) decided.then(settle, (err: Error) => callback(err));
        else settle(decided);
      });
      /** Takes the message under its settled id: Received header, `accepted` event, the chain, then 250. */
      const accept = (body: Buffer, id: string) => {
        const tls = tlsOf(session, protocols.get(session.id));
        const queueId = randomBytes(5).toString('hex').toUpperCase();
        const to = session.envelope.rcptTo.map((r) => r.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        // RFC 6531 §4.3: an SMTPUTF8 transaction is `with UTF8SMTP` (`UTF8SMTPS` over TLS) instead of `ESMTP`.
        const protocol = session.envelope.smtpUtf8 ? `UTF8${session.transmissionType.replace(/^E/, '')}` : session.transmissionType;
        const header = receivedHeader({
          // hostNameAppearsAs is the EHLO argument; clientHostname is the (disabled) reverse lookup, i.e. `[ip]`.
          helo: session.hostNameAppearsAs || session.clientHostname || 'unknown',
          clientIp: session.remoteAddress,
          serverIp: session.localAddress,
          by: opts.hostname,
          protocol,
          tls: tls && { version: tls.version, cipher: tls.cipher, opensslName: tls.opensslName },
          queueId,
          recipient: to[0] ?? '',
          mailFrom: from,
          date: clock.date(),
        }, inbound.received);
        // UTF-8: the `for <...>` clause names the recipient as it came, internationalised or not (RFC 6532 §3.7).
        const raw = Buffer.concat([Buffer.from(header, 'utf8'), body]);
        trace.emit({
          kind: 'accepted', ...receiverEvent, messageId: id,
          secure: Boolean(session.secure),
          tls: tls && { version: tls.version, cipher: tls.cipher, nullCipher: tls.nullCipher, ...(exporters.has(session.id) ? { exporter: exporters.get(session.id) } : {}) },
          protocol: session.transmissionType, remotePort: session.remotePort,
          received: { headers: headerValues(raw, 'Received'), hopNames: [...new Set([opts.hostname, receivedByHost(opts.hostname, inbound.received)])] },
        });
        opts.onMessage({
          id,
          from,
          to,
          raw,
          inbound: tls && !tls.nullCipher ? { version: tls.version, cipher: tls.cipher } : null,
        });
        callback(null, `Ok: queued as ${queueId}`);
      };
    },
  } as ConstructorParameters<typeof SMTPServer>[0]);
  server.on('error', () => {
    // connection-level errors (resets, TLS alerts) are seen by the witnesses; the server stays up
  });

  const host = opts.host ?? '127.0.0.1';
  // With a front, the honest server takes an internal ephemeral port and the front the hop's.
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(front ? 0 : (opts.port ?? 0), host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const inner = { host, port: (server.server.address() as AddressInfo).port };
  let started: StartedFront | undefined;
  if (front) {
    try {
      started = await startFront({ behaviour: front.behaviour, inner, host, port: opts.port });
    } catch (err) {
      await stopServer();
      throw err;
    }
  }
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= Promise.all([started?.stop(), stopServer()]).then(() => undefined));
  return { address: started?.address ?? inner, stop, [Symbol.asyncDispose]: stop };
}

function tlsOf(session: SMTPServerSession, protocol: string | undefined): SessionTls | null {
  if (!session.secure) return null;
  const info = session.tlsOptions as unknown as { name?: string; standardName?: string; version?: string } | false;
  const name = (info && (info.standardName || info.name)) || 'unknown';
  const openssl = info && info.name && info.name !== name ? { opensslName: info.name } : {};
  return { version: protocol ?? ((info && info.version) || 'unknown'), cipher: name, ...openssl, nullCipher: /NULL/i.test(name) };
}

/** The session's TLS: IANA suite name, and OpenSSL's when it differs (product headers print either). */
type SessionTls = { version: string; cipher: string; opensslName?: string; nullCipher: boolean };

/**
 * RFC 6531 §3.4: a non-ASCII mailbox is only allowed in a transaction whose MAIL FROM carried the
 * SMTPUTF8 parameter; smtp-server itself would accept it. Postfix answers `553 5.6.7 Must declare
 * SMTPUTF8 to send unicode address`; smtp-server 3.21 puts its own enhanced code for 553 (5.1.3)
 * before an error's text and offers no way to choose it, so the reply reads `553 5.1.3 Must
 * declare SMTPUTF8 ...`: the same refusal, the registry's 5.6.7 (RFC 6531 §3.7.1) only in Postfix.
 */
function unicodeWithoutSmtputf8(address: SMTPServerAddress, mailFrom: SMTPServerAddress): Error | undefined {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(address.address)) return undefined;
  const args = (mailFrom.args || {}) as Record<string, unknown>;
  if (Object.keys(args).some((k) => k.toUpperCase() === 'SMTPUTF8')) return undefined;
  return Object.assign(new Error('Must declare SMTPUTF8 to send unicode address'), { responseCode: 553 });
}
