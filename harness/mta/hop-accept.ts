/**
 * A mock hop taking a message at the end of DATA: read it within the hop's limits (message-intake.ts),
 * settle its mailhop id (id-claim.ts), prepend this hop's Received header (RFC 5321 §4.4), record the
 * receiver's `accepted` event, hand the message to the chain, and only then answer 250: from that reply on
 * the hop owns the message (RFC 5321 §6.1).
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { SMTPServerSession } from 'smtp-server';
import type { Inbound } from '../scenario/schema.js';
import type { NewEvent } from '../trace/events.js';
import type { InboundFact } from './effective-policy.js';
import type { HopLimits } from './hop-limits.js';
import { applyIdDecision, claimOf, ID_HEADER, type AssignId, type IdDecision, type PeerEnd } from './id-claim.js';
import { type HeldBytes, readMessage } from './message-intake.js';
import { headerValues, receivedByHost, receivedHeader } from './received-header.js';
import { tlsOf } from './server-tls.js';

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
  /** Present (true) when MAIL FROM carried REQUIRETLS and the hop took it (`inbound.requireTls: advertise`): the message is tagged (RFC 8689 §4.1). */
  requireTls?: true;
}

/** What one hop's DATA handling needs: who it is, its limits, and where accepted mail and events go. */
export interface HopIntake {
  hopId: string;
  hostname: string;
  inbound: Inbound;
  inboundLink: string;
  limits: HopLimits;
  held: HeldBytes;
  emit: (event: NewEvent) => void;
  /** Virtual now, as the Received header's date. */
  date: () => Date;
  /** Takes the message; a promise it returns (a chain in another thread) says when the chain owns it: the 250 waits for it. */
  onMessage: (message: AcceptedMessage) => void;
  assignId?: AssignId;
  /** Per session id: the negotiated TLS version (getProtocol()). */
  protocols: ReadonlyMap<string, string>;
  /** Per session id: the TLS exporter value, when this server's TLS session is the sender's. */
  exporters: ReadonlyMap<string, string>;
  /** The sender's end of the connection that reached the hop as `remote`: itself, or behind a front the front's client (undefined when the front does not know it). */
  clientOf: (remote: PeerEnd) => PeerEnd | undefined;
}

type DataCallback = (err?: Error | null, message?: string) => void;

/**
 * smtp-server's `onData`: reads the content, settles the id and accepts, or refuses with the reply the
 * limits or the id rules give (552 5.3.4, 554 5.6.0, 550 for a message without an id when ids are not assigned).
 */
export function receiveData(hop: HopIntake, stream: Readable, session: SMTPServerSession, callback: DataCallback): void {
  void readMessage(stream, hop.limits, hop.held).then((intake) => {
    if ('refusal' in intake) return callback(intake.refusal);
    const body = intake.content;
    if (!hop.assignId) {
      const id = headerValues(body, ID_HEADER)[0];
      if (!id) return callback(Object.assign(new Error('Message has no X-Mailhop-Id header; mailhop only relays its own test messages'), { responseCode: 550 }));
      return acceptMessage(hop, session, body, id, callback);
    }
    const remote = { host: session.remoteAddress, port: session.remotePort };
    const decided = hop.assignId(claimOf(body, hop.clientOf(remote)));
    const settle = (d: IdDecision) => acceptMessage(hop, session, applyIdDecision(body, d), d.id, callback);
    if (decided instanceof Promise) decided.then(settle, (err: Error) => callback(err));
    else settle(decided);
  });
}

/** Takes the message under its settled id: Received header, `accepted` event, the chain; then answers 250 with the queue id. */
function acceptMessage(hop: HopIntake, session: SMTPServerSession, body: Buffer, id: string, callback: DataCallback): void {
  const tls = tlsOf(session, hop.protocols.get(session.id));
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
    by: hop.hostname,
    protocol,
    tls: tls && { version: tls.version, cipher: tls.cipher, opensslName: tls.opensslName },
    queueId,
    recipient: to[0] ?? '',
    recipientCount: to.length,
    mailFrom: from,
    date: hop.date(),
  }, hop.inbound.received);
  // UTF-8: the `for <...>` clause names the recipient as it came, internationalised or not (RFC 6532 §3.7).
  const raw = Buffer.concat([Buffer.from(header, 'utf8'), body]);
  const exporter = hop.exporters.get(session.id);
  // smtp-server tags the envelope; requiretls-params.ts lets it only where the hop advertised REQUIRETLS.
  const requireTls = (session.envelope as { requireTLS?: boolean }).requireTLS === true;
  hop.emit({
    kind: 'accepted', source: 'receiver', link: hop.inboundLink, hop: hop.hopId, messageId: id,
    secure: Boolean(session.secure),
    tls: tls && { version: tls.version, cipher: tls.cipher, nullCipher: tls.nullCipher, ...(exporter ? { exporter } : {}) },
    protocol: session.transmissionType, remotePort: peerPort(hop, session), ...(requireTls ? { requireTls } : {}),
    received: { headers: headerValues(raw, 'Received'), hopNames: [...new Set([hop.hostname, receivedByHost(hop.hostname, hop.inbound.received)])] },
  });
  const owned: unknown = hop.onMessage({ id, from, to, raw, inbound: tls && !tls.nullCipher ? { version: tls.version, cipher: tls.cipher } : null, ...(requireTls ? { requireTls } : {}) });
  const accept = () => callback(null, `Ok: queued as ${queueId}`);
  // Only once the chain owns the message does the hop answer 250 (RFC 5321 §6.1), also across a thread boundary.
  if (owned instanceof Promise) owned.then(accept, (err: Error) => callback(err));
  else accept();
}

/**
 * The port the hop's peer connected from: behind a front, the front's client (in a chain the link proxy's port
 * towards the hop, `WireRecord.upstreamPort`), not the front's own connection to the honest server, so that an
 * acceptance ties to the wire record of the connection it came on (verdict/sessionless-link.ts).
 */
function peerPort(hop: HopIntake, session: SMTPServerSession): number {
  return hop.clientOf({ host: session.remoteAddress, port: session.remotePort })?.port ?? session.remotePort;
}
