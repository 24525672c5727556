/**
 * One delivery attempt of one message over one link: the client decision procedure of
 * docs/behaviour.md#B-attempt, for the policies of docs/behaviour.md#B-policies. Emits one `session` event per connection.
 */
import { MailhopError } from '../errors.js';
import type { Outbound, Submit } from '../scenario/schema.js';
import type { EffectivePolicy, SessionEvent, TlsFailureType } from '../trace/events.js';
import { replyOf } from '../trace/events.js';
import type { Trace } from '../trace/trace.js';
import { SmtpClient, type SmtpReply } from './smtp-client.js';
import type { ClientTlsContexts } from './client-tls-contexts.js';
import { effectivePolicy, policyReason, type InboundFact } from './effective-policy.js';
import { localReplies } from './local-replies.js';
import { advertises, mailFromCommand, needsSmtpUtf8, smtpUtf8Refused } from './smtputf8.js';

/** A message in a hop's queue. */
export interface QueuedMessage {
  id: string;
  from: string;
  to: string[];
  raw: Buffer;
  /** Virtual time it entered this hop's queue, ms. */
  arrivedAt: number;
  inbound: InboundFact | null;
  /** Attempts made so far on this hop. */
  attempts: number;
}

/** Everything a hop needs to relay over its outbound link. */
export interface RelayTarget {
  /** Sending hop id (`client` for the submission). */
  hop: string;
  link: string;
  policy: Outbound | Submit;
  /** Where to connect: the link proxy in front of the next hop. */
  address: { host: string; port: number };
  /** The next hop's hostname (SNI and certificate name check). */
  servername: string;
  /** Name this hop gives in EHLO. */
  ehloName: string;
  /** The next hop speaks TLS from the first byte (RFC 8314 §3): no STARTTLS, nothing to fall back to. */
  implicitTls: boolean;
  /** PEM CA certificates a `verify` client trusts (the run's CA). */
  ca: string[];
  /** The chain's reusable client TLS contexts (one per cipher string); without it each handshake builds its own. */
  tlsContexts?: ClientTlsContexts;
  trace: Trace;
  /** Virtual clock reading, ms. */
  now: () => number;
  /**
   * Told as soon as a connection is open, before any byte is exchanged, so the link proxy can
   * tell which message, attempt and connection a TCP connection (by the sender's local port) carries.
   */
  onConnect?: (info: ConnectionInfo) => void;
}

/** Which delivery a TCP connection carries, keyed by the sender's local port. */
export interface ConnectionInfo {
  localPort: number;
  /** The sender's local address: a connection is its address and port together (another address may use the same port). */
  localAddress: string;
  messageId: string;
  /** Delivery attempt of the message on this link, from 1. */
  attempt: number;
  /** Connection within the attempt, from 1 (2 after a reconnect fallback). */
  connection: number;
}

/** What an attempt decided for the message. */
export interface AttemptOutcome {
  result: 'relayed' | 'deferred' | 'bounced';
  reply: SessionEvent['reply'];
}

type SessionResult = Pick<SessionEvent, 'result' | 'reply'>;

/** A decision mailhop's client takes itself, written as the reply an MTA would log. */
function localReply(code: number, enhanced: string, text: string): SessionEvent['reply'] {
  return { code, enhanced, text: `${code} ${enhanced} ${text}` };
}

function byCode(code: number): SessionEvent['result'] {
  if (code >= 200 && code < 300) return 'relayed';
  return code >= 500 ? 'bounced' : 'deferred';
}

/** Maps Node's certificate error codes to RFC 8460 §4.3.1 result types. */
export function certificateFailureType(code: string | undefined): TlsFailureType {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'certificate-expired';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'certificate-host-mismatch';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'certificate-not-trusted';
    default:
      return 'validation-failure';
  }
}

/** May an opportunistic client retry this message in plaintext right after a failed handshake? */
function plaintextRetryAllowed(policy: Outbound | Submit, message: QueuedMessage, now: number): boolean {
  if (policy.tls !== 'opportunistic' && policy.tls !== 'preserve-inbound') return false;
  switch (policy.fallback) {
    case 'reconnect':
      return true;
    case 'next-attempt':
      // Postfix: plaintext after a TLS failure only once the message is minimal_backoff_time old (HISTORY 20140218).
      return now - message.arrivedAt >= policy.fallbackAfter;
    case 'never':
      return false;
  }
}

async function runSession(
  target: RelayTarget,
  message: QueuedMessage,
  attempt: number,
  connection: number,
  policy: EffectivePolicy,
  plaintextRetry: boolean,
): Promise<SessionResult> {
  const requiresTls = policy === 'mandatory' || policy === 'verify';
  const event: Omit<SessionEvent, 'seq' | 'at'> = {
    kind: 'session', source: 'sender', link: target.link, hop: target.hop, messageId: message.id,
    attempt, connection, localPort: 0, policy, policyReason: policyReason(target.policy, message.inbound, message.to, target.hop), requiresTls, plaintextRetry,
    starttlsAdvertised: null, starttlsSent: false, tls: null, contentSent: null,
    result: 'deferred', reply: localReply(451, '4.4.0', 'no session'), transcript: [],
  };
  let client: SmtpClient | undefined;
  // Decisions the client takes itself are worded as the product in `replies` words them (local-replies.ts).
  const texts = localReplies(target.policy.replies ?? 'mailhop');
  const peer = { host: target.servername, ip: target.address.host };
  const finish = async (result: SessionEvent['result'], reply: SessionEvent['reply'], quit = true): Promise<SessionResult> => {
    if (client) {
      if (quit) await client.quit();
      else client.destroy();
      event.transcript = client.transcript;
    }
    event.result = result;
    event.reply = reply;
    target.trace.emit(event);
    return { result, reply };
  };
  /** Under `verify`, records why the certificate fails (RFC 8460 result type); true when it does. */
  const certificateRefused = (): boolean => {
    if (policy !== 'verify' || !event.tls || event.tls.verified) return false;
    event.tlsFailure = { type: certificateFailureType(event.tls.verifyError), detail: event.tls.verifyError ?? '' };
    return true;
  };
  const failWith = (reply: SmtpReply) => finish(byCode(reply.code) === 'relayed' ? 'deferred' : byCode(reply.code), replyOf(reply));

  try {
    client = await SmtpClient.connect({
      host: target.address.host, port: target.address.port, ehloName: target.ehloName,
      timeoutMs: target.policy.timeout,
      ...('starttlsTimeout' in target.policy && target.policy.starttlsTimeout !== undefined ? { handshakeTimeoutMs: target.policy.starttlsTimeout } : {}),
      servername: target.servername, ca: target.ca,
      ...('tlsCiphers' in target.policy && target.policy.tlsCiphers ? { ciphers: target.policy.tlsCiphers } : {}),
      ...(target.tlsContexts ? { secureContext: target.tlsContexts.get('tlsCiphers' in target.policy ? target.policy.tlsCiphers : undefined) } : {}),
    });
    event.localPort = client.localPort;
    target.onConnect?.({ localPort: client.localPort, localAddress: client.localAddress, messageId: message.id, attempt, connection });
    if (target.implicitTls) {
      try {
        event.tls = await client.startTls();
      } catch (err) {
        event.tlsFailure = { type: 'handshake-failure', detail: (err as Error).message };
        return finish('deferred', texts.handshakeDeferred(peer, (err as Error).message), false);
      }
      if (certificateRefused()) return finish('deferred', texts.certificateRefused(peer, event.tls.verifyError));
    }
    const greeting = await client.readReply();
    if (greeting.code !== 220) return failWith(greeting);
    let ehlo = await client.command(`EHLO ${target.ehloName}`);
    if (ehlo.code !== 250) {
      ehlo = await client.command(`HELO ${target.ehloName}`);
      if (ehlo.code !== 250) return failWith(ehlo);
    }
    // The first line of an EHLO reply is the greeting domain; keywords follow (RFC 5321 §4.1.1.1).
    const advertised = advertises(ehlo, 'STARTTLS');
    event.starttlsAdvertised = advertised;

    if (policy !== 'none' && !plaintextRetry && !target.implicitTls) {
      if (!advertised) {
        if (requiresTls) {
          event.tlsFailure = { type: 'starttls-not-supported', detail: 'STARTTLS not in the EHLO reply' };
          return finish('deferred', texts.notOffered(peer));
        }
      } else {
        event.starttlsSent = true;
        const reply = await client.command('STARTTLS');
        event.starttlsReply = { code: reply.code, text: reply.text };
        if (reply.code !== 220) {
          event.tlsFailure = { type: 'starttls-rejected', detail: reply.text };
          if (requiresTls) {
            return finish('deferred', texts.starttlsRefused(peer, reply));
          }
          const rejected = 'starttlsRejected' in target.policy ? target.policy.starttlsRejected : 'continue';
          if (rejected === 'defer') return finish('deferred', texts.starttlsRejectedDeferred(peer, reply));
          // 'continue': plaintext in the same session, as Postfix, Exim and Sendmail do (RFC 3207 §4: local policy).
        } else {
          try {
            event.tls = await client.startTls();
          } catch (err) {
            event.tlsFailure = { type: 'handshake-failure', detail: (err as Error).message };
            if (!requiresTls && plaintextRetryAllowed(target.policy, message, target.now())) {
              return finish('fallback', texts.handshakeFallback(peer, (err as Error).message), false);
            }
            return finish('deferred', texts.handshakeDeferred(peer, (err as Error).message), false);
          }
          if (certificateRefused()) return finish('deferred', texts.certificateRefused(peer, event.tls.verifyError));
          // RFC 3207 §4.2: forget the pre-TLS extension list and ask again.
          ehlo = await client.command(`EHLO ${target.ehloName}`);
          if (ehlo.code !== 250) return failWith(ehlo);
        }
      }
    }

    // RFC 6531 §3.2: internationalised mail goes only to a server whose (last) EHLO reply lists SMTPUTF8; else it bounces, unmangled.
    const utf8 = needsSmtpUtf8(message);
    if (utf8 && !advertises(ehlo, 'SMTPUTF8')) return finish('bounced', smtpUtf8Refused(target.servername));
    const mail = await client.command(mailFromCommand(message.from, utf8));
    if (mail.code !== 250) return failWith(mail);
    let accepted = 0;
    let lastRcpt: SmtpReply | undefined;
    for (const rcpt of message.to) {
      lastRcpt = await client.command(`RCPT TO:<${rcpt}>`);
      if (lastRcpt.code === 250 || lastRcpt.code === 251) accepted++;
    }
    if (accepted === 0 && lastRcpt) return failWith(lastRcpt);
    const data = await client.command('DATA');
    if (data.code !== 354) return failWith(data);
    event.contentSent = { encrypted: client.secure && !event.tls?.nullCipher };
    const final = await client.sendData(message.raw);
    return finish(byCode(final.code), replyOf(final));
  } catch (err) {
    const e = err as MailhopError;
    const enhanced = e.code === 'ETIMEOUT' ? '4.4.2' : '4.4.1';
    return finish('deferred', localReply(451, enhanced, e.message), false);
  }
}

/**
 * Makes one delivery attempt: a session under the effective policy and, when the handshake
 * failed and the fallback rule allows it, a second plaintext session at once.
 * Never throws: every failure becomes a `deferred` or `bounced` outcome with its reply.
 */
export async function deliverAttempt(target: RelayTarget, message: QueuedMessage, attempt: number): Promise<AttemptOutcome> {
  const policy = effectivePolicy(target.policy, message.inbound, message.to);
  const first = await runSession(target, message, attempt, 1, policy, false);
  const outcome = first.result === 'fallback' ? await runSession(target, message, attempt, 2, policy, true) : first;
  return { result: outcome.result === 'fallback' ? 'deferred' : outcome.result, reply: outcome.reply };
}
