/**
 * One SMTP session of mailhop's client (a connection of a delivery attempt), as four phases in order:
 * connect (and the handshake at once for implicit TLS, RFC 8314 §3), greeting and EHLO, STARTTLS under the
 * effective policy (RFC 3207), and the mail transaction (RFC 5321 §3.3). A phase either lets the session go
 * on (null) or ends it with the session's result; every end records one `session` event with what the
 * session saw (offered STARTTLS, sent it, its reply, the negotiated TLS, whether the content went encrypted).
 */
import type { MailhopError } from '../errors.js';
import type { EffectivePolicy, SessionEvent } from '../trace/events.js';
import { replyOf } from '../trace/events.js';
import { SmtpClient, type SmtpReply, type TlsSummary } from './smtp-client.js';
import { factsOf, mayKeep, type OpenSession } from './kept-session.js';
import { policyReason } from './effective-policy.js';
import { clientTlsOptions } from './client-tls-contexts.js';
import { localReplies, type LocalReplies } from './local-replies.js';
import { advertises, mailFromCommand, needsSmtpUtf8, smtpUtf8Refused } from './smtputf8.js';
import type { QueuedMessage, RelayTarget, SessionResult } from './relay-target.js';
import { byCode, certificateFailureType, localReply, plaintextRetryAllowed, preTlsBytes, trailingData, type TrailingData } from './session-decisions.js';
import { daneMatch } from '../dns/dane-match.js';
import { checkPolicyMap } from '../mta-sts/policy-map.js';
import { authenticateAsAsked } from './client-auth.js';
import { sendEnvelope } from './mail-envelope.js';
import { mailParameter, requireTlsMissing, returnedAtOnce, type RequireTlsPlan } from './require-tls.js';

/** Which connection of which attempt this session is, and what the attempt decided before it. */
export interface SessionPlace {
  /** Delivery attempt of the message on this link, from 1. */
  attempt: number;
  /** Connection within the attempt, from 1 (2 after a reconnect fallback). */
  connection: number;
  policy: EffectivePolicy;
  /** This is the plaintext connection after a failed handshake: STARTTLS is not tried. */
  plaintextRetry: boolean;
  /** A session kept open after an earlier message's transaction (kept-session.ts): this transaction runs on it at once. */
  reuse?: OpenSession;
  /** Given the session instead of QUIT when it delivered and the policy keeps it (`outbound.reuse`, `fallbackMemory: session`). */
  keep?: (session: OpenSession) => void;
  /**
   * Virtual ms when the delivery attempt began: `fallback: next-attempt` judges the message's age then, not when the
   * handshake failed (Postfix's PREACTIVE_DELAY in smtp.h: the time it spent queued before this delivery started).
   */
  startedAt?: number;
  /** What the message's REQUIRETLS or `TLS-Required: No` tag changed (require-tls.ts); absent: nothing. */
  requireTls?: RequireTlsPlan;
}

type Phase = Promise<SessionResult | null>;
type Reply = SessionEvent['reply'];

/**
 * Runs one session. Never throws: a timeout (`ETIMEOUT`) or a broken connection is `451 4.4.2` / `451 4.4.1`
 * (RFC 3463 §3.5), deferred.
 */
export function runSession(target: RelayTarget, message: QueuedMessage, place: SessionPlace): Promise<SessionResult> {
  return new SenderSession(target, message, place).run();
}

class SenderSession {
  readonly #target: RelayTarget;
  readonly #message: QueuedMessage;
  #place: SessionPlace;
  readonly #event: Omit<SessionEvent, 'seq' | 'at'>;
  /** Decisions the client takes itself, worded as the product in `replies` words them (local-replies.ts). */
  readonly #texts: LocalReplies;
  readonly #peer: { host: string; ip: string };
  readonly #requiresTls: boolean;
  #client: SmtpClient | undefined;
  /** The last EHLO reply (after STARTTLS, the second one, RFC 3207 §4.2). */
  #ehlo: SmtpReply | undefined;
  /** Where this session's part of the client's transcript starts (a kept session carries earlier ones). */
  #transcriptFrom = 0;
  /** The messages earlier transactions on this connection carried (a kept session's), in order. */
  #carried: string[] = [];

  constructor(target: RelayTarget, message: QueuedMessage, place: SessionPlace) {
    this.#target = target;
    this.#message = message;
    this.#place = place;
    this.#requiresTls = place.policy === 'mandatory' || place.policy === 'verify';
    this.#texts = localReplies(target.policy.replies ?? 'mailhop');
    this.#peer = { host: target.servername, ip: target.address.host };
    this.#event = {
      kind: 'session', source: 'sender', link: target.link, hop: target.hop, messageId: message.id,
      attempt: place.attempt, connection: place.connection, localPort: 0, policy: place.policy,
      policyReason: place.requireTls?.reason ?? (target.dnsPolicy?.requiresTls ? target.dnsPolicy.fact.words : policyReason(target.policy, message.inbound, message.to, target.hop)),
      ...(target.dnsPolicy ? { tlsPolicy: { ...target.dnsPolicy.fact } } : {}),
      requiresTls: this.#requiresTls, plaintextRetry: place.plaintextRetry,
      starttlsAdvertised: null, starttlsSent: false, tls: null, contentSent: null,
      result: 'deferred', reply: localReply(451, '4.4.0', 'no session'), transcript: [],
      ...(message.destination === undefined ? {} : { destination: message.destination }),
    };
  }

  async run(): Promise<SessionResult> {
    try {
      const reuse = this.#place.reuse;
      if (reuse && (await this.#probe(reuse))) return await this.#resume(reuse);
      await this.#connect();
      return (await this.#implicitTls()) ?? (await this.#greet()) ?? (await this.#starttls()) ?? (await this.#transaction());
    } catch (err) {
      const e = err as MailhopError;
      return this.#finish('deferred', localReply(451, e.code === 'ETIMEOUT' ? '4.4.2' : '4.4.1', e.message), false);
    }
  }

  async #connect(): Promise<void> {
    const { policy, address, tlsContexts, tlsSessions } = this.#target;
    const tlsOptions = clientTlsOptions(policy);
    const client = await SmtpClient.connect({
      host: address.host, port: address.port, ehloName: this.#target.ehloName,
      timeoutMs: policy.timeout,
      ...('starttlsTimeout' in policy && policy.starttlsTimeout !== undefined ? { handshakeTimeoutMs: policy.starttlsTimeout } : {}),
      servername: this.#target.servername, ca: this.#target.ca,
      ...(this.#target.waits ? { waits: this.#target.waits } : {}),
      ...tlsOptions,
      ...(tlsContexts ? { secureContext: tlsContexts.get(tlsOptions) } : {}), ...(tlsSessions ? { tlsSessions } : {}),
    });
    this.#client = client;
    this.#event.localPort = client.localPort;
    const { attempt, connection } = this.#place;
    this.#target.onConnect?.({ localPort: client.localPort, localAddress: client.localAddress, messageId: this.#message.id, attempt, connection });
  }

  /**
   * Under `reuseProbe: rset`, RSET on the kept session first (RFC 5321 §4.1.1.5, as Postfix probes a cached session):
   * true when it was answered 250 (its lines are then this transaction's first). Otherwise the session is dropped
   * without QUIT and this one becomes a new connection, as if nothing had been kept.
   */
  async #probe(open: OpenSession): Promise<boolean> {
    if (optionOf(this.#target.policy, 'reuseProbe') !== 'rset') return true;
    const from = open.client.transcript.length;
    const accepted = await open.client.command('RSET').then((r) => r.code === 250, () => false);
    if (accepted) {
      this.#transcriptFrom = from;
      return true;
    }
    open.client.destroy();
    this.#place = { ...this.#place, reuse: undefined, plaintextRetry: false };
    this.#event.plaintextRetry = false;
    return false;
  }

  /**
   * Another mail transaction on a kept session (RFC 5321 §3.3: MAIL may follow a completed one), announced anew. The
   * event carries the session's facts (its STARTTLS, TLS, failure), so each message is judged on the session that
   * carried it, and `sharedSession` names the messages before it.
   */
  async #resume(open: OpenSession): Promise<SessionResult> {
    const { client, ehlo } = open;
    this.#client = client;
    this.#ehlo = ehlo;
    this.#carried = open.carried;
    if (optionOf(this.#target.policy, 'reuseProbe') !== 'rset') this.#transcriptFrom = client.transcript.length;
    Object.assign(this.#event, { localPort: client.localPort, ...open.facts, sharedSession: { transaction: open.carried.length + 1, after: [...open.carried] } });
    const { attempt, connection } = this.#place;
    this.#target.onConnect?.({ localPort: client.localPort, localAddress: client.localAddress, messageId: this.#message.id, attempt, connection });
    // Already authenticated, if it was to: AUTH once per session (RFC 4954 §4).
    return this.#transaction(false);
  }

  /** RFC 8314 §3: the handshake before the greeting; no STARTTLS, nothing to fall back to. */
  async #implicitTls(): Phase {
    if (!this.#target.implicitTls) return null;
    try {
      this.#event.tls = await this.#client!.startTls();
    } catch (err) {
      this.#event.tlsFailure = { type: 'handshake-failure', detail: (err as Error).message };
      return this.#finish('deferred', this.#texts.handshakeDeferred(this.#peer, (err as Error).message), false);
    }
    return this.#certificateRefused() ? this.#finish('deferred', this.#texts.certificateRefused(this.#peer, this.#refusal())) : null;
  }

  /** The 220 greeting, then EHLO (HELO when EHLO is refused, RFC 5321 §4.1.1.1). */
  async #greet(): Phase {
    const client = this.#client!;
    const greeting = await client.readReply();
    if (greeting.code !== 220) return this.#failWith(greeting);
    let ehlo = await client.command(`EHLO ${this.#target.ehloName}`);
    if (ehlo.code !== 250) {
      ehlo = await client.command(`HELO ${this.#target.ehloName}`);
      if (ehlo.code !== 250) return this.#failWith(ehlo);
    }
    this.#ehlo = ehlo;
    this.#event.starttlsAdvertised = advertises(ehlo, 'STARTTLS');
    return null;
  }

  /** STARTTLS as the effective policy says (RFC 3207 §4: what follows a refusal is local policy). */
  async #starttls(): Phase {
    const { policy, plaintextRetry } = this.#place;
    if (policy === 'none' || plaintextRetry || this.#target.implicitTls) return null;
    const event = this.#event;
    if (!event.starttlsAdvertised) {
      // opportunistic-verify: verified TLS only where it is offered; without it, plaintext (RFC 7435 §3).
      if (this.#target.policy.tls === 'opportunistic-verify') Object.assign(event, { policy: 'opportunistic', requiresTls: false });
      // MTA-STS testing (RFC 8461 §5): the missing STARTTLS is recorded, the mail goes on as the hop's policy says.
      if (!event.requiresTls && this.#target.dnsPolicy?.reportsOnly) event.tlsFailure = { type: 'starttls-not-supported', detail: 'STARTTLS not in the EHLO reply' };
      if (!event.requiresTls) return null;
      event.tlsFailure = { type: 'starttls-not-supported', detail: 'STARTTLS not in the EHLO reply' };
      return this.#finish('deferred', this.#texts.notOffered(this.#peer));
    }
    event.starttlsSent = true;
    let reply: SmtpReply;
    try {
      reply = await this.#client!.command('STARTTLS');
    } catch (err) {
      // OpenSMTPD 6.8 counts a connection lost before the reply as failed opportunistic TLS (starttlsDropped: fallback).
      if ((err as MailhopError).code !== 'ESOCKET' || this.#requiresTls || optionOf(this.#target.policy, 'starttlsDropped') !== 'fallback') throw err;
      const detail = (err as Error).message;
      event.tlsFailure = { type: 'handshake-failure', detail };
      return this.#handshakeFailed(this.#texts.handshakeFallback(this.#peer, detail), this.#texts.handshakeDeferred(this.#peer, detail));
    }
    event.starttlsReply = { code: reply.code, text: reply.text };
    return reply.code === 220 ? this.#handshake() : this.#refused(reply);
  }

  /**
   * A reply other than 220 to STARTTLS: with TLS required, defer or (a 5xx local reply: Postfix) bounce; else defer,
   * or go on in plaintext in the same session (Postfix, Exim, Sendmail do).
   */
  #refused(reply: SmtpReply): Phase {
    this.#event.tlsFailure = { type: 'starttls-rejected', detail: reply.text };
    if (this.#requiresTls) {
      const local = this.#texts.starttlsRefused(this.#peer, reply);
      return this.#finish(local.code >= 500 ? 'bounced' : 'deferred', local);
    }
    const policy = this.#target.policy;
    const rejected = 'starttlsRejected' in policy ? policy.starttlsRejected : 'continue';
    return rejected === 'defer' ? this.#finish('deferred', this.#texts.starttlsRejectedDeferred(this.#peer, reply)) : Promise.resolve(null);
  }

  /** The handshake after 220: a failure defers or (policy allowing) asks for a plaintext reconnect; success asks EHLO again. */
  async #handshake(): Phase {
    const event = this.#event;
    const trailing = trailingData(this.#target.policy, this.#client!.bufferedOctets);
    if (trailing?.handling === 'defer') return this.#refuseTrailing(trailing);
    let tls: TlsSummary;
    try {
      tls = await this.#client!.startTls(preTlsBytes(this.#target.policy));
    } catch (err) {
      const detail = (err as Error).message;
      event.tlsFailure = { type: 'handshake-failure', detail };
      const deferred = this.#texts.handshakeDeferred(this.#peer, detail);
      // A timeout is no failed handshake to OpenSMTPD 6.8: it defers (starttlsTimedOut: defer).
      if ((err as MailhopError).code === 'ETIMEOUT' && optionOf(this.#target.policy, 'starttlsTimedOut') === 'defer') return this.#finish('deferred', deferred, false);
      return this.#handshakeFailed(this.#texts.handshakeFallback(this.#peer, detail), deferred);
    }
    // Exim checks its input buffer once the handshake is done, and gives the session up (smtp.c, "synch error before connect").
    if (trailing) return this.#refuseTrailing(trailing);
    event.tls = tls;
    if (this.#certificateRefused()) return this.#finish('deferred', this.#texts.certificateRefused(this.#peer, this.#refusal()));
    // RFC 3207 §4.2: forget the pre-TLS extension list and ask again.
    const ehlo = await this.#client!.command(`EHLO ${this.#target.ehloName}`);
    if (ehlo.code !== 250) return this.#failWith(ehlo);
    this.#ehlo = ehlo;
    return null;
  }

  /** After a failed handshake (or what counts as one): a plaintext reconnect when the policy allows it, else deferred. */
  #handshakeFailed(fallback: Reply, deferred: Reply): Phase {
    if (!this.#requiresTls && plaintextRetryAllowed(this.#target.policy, this.#message, this.#place.startedAt ?? this.#target.now())) return this.#finish('fallback', fallback, false);
    return this.#finish('deferred', deferred, false);
  }

  /**
   * Gives TLS up for the trailing bytes: `defer` ends the session before any handshake (OpenSMTPD 6.8), `handshake-failure`
   * after it (Exim 4.96), as a failed handshake would. The connection is dropped without QUIT, as both were observed to.
   */
  #refuseTrailing({ octets, handling }: TrailingData): Phase {
    const detail = `${octets} octets after the 220 to STARTTLS, before the handshake`;
    this.#client!.transcript.push({ dir: '*', text: `${detail}: TLS given up (starttlsTrailingData: ${handling})` });
    this.#event.tlsFailure = { type: 'handshake-failure', detail };
    const deferred = this.#texts.trailingDataDeferred(this.#peer);
    return handling === 'defer' ? this.#finish('deferred', deferred, false) : this.#handshakeFailed(this.#texts.trailingDataFallback(this.#peer), deferred);
  }

  /** AUTH when the policy has credentials (client-auth.ts), then MAIL, RCPT for each recipient, DATA and the content (RFC 5321 §3.3). */
  async #transaction(authenticates = true): Promise<SessionResult> {
    const client = this.#client!;
    const message = this.#message;
    const refused = authenticates ? await authenticateAsAsked(client, this.#target.policy, this.#ehlo!, this.#target.servername) : null;
    if (refused) return 'local' in refused ? this.#finish('deferred', refused.local) : this.#failWith(refused);
    // RFC 6531 §3.2: internationalised mail goes only to a server whose (last) EHLO reply lists SMTPUTF8; else it bounces, unmangled.
    const utf8 = needsSmtpUtf8(message);
    if (utf8 && !advertises(this.#ehlo!, 'SMTPUTF8')) return this.#finish('bounced', smtpUtf8Refused(this.#target.servername));
    // RFC 8689 §4.2.1: REQUIRETLS on MAIL FROM where this TLS session's EHLO reply listed it (require-tls.ts).
    const requireTls = mailParameter(this.#place.requireTls, client.secure, advertises(this.#ehlo!, 'REQUIRETLS'));
    if (requireTls) this.#event.requireTls = requireTls.seen;
    if (requireTls?.parameter === null) return this.#finish('bounced', requireTlsMissing(this.#target.servername));
    const pipelines = optionOf(this.#target.policy, 'pipelining') === true && advertises(this.#ehlo!, 'PIPELINING');
    const ended = await sendEnvelope(client, `${mailFromCommand(message.from, utf8)}${requireTls?.parameter ?? ''}`, message.to, pipelines);
    if (ended) return this.#failWith(ended);
    this.#event.contentSent = { encrypted: client.secure && !this.#event.tls?.nullCipher };
    const final = await client.sendData(message.raw);
    return this.#finish(byCode(final.code), replyOf(final));
  }

  /** Under `verify`, records why the certificate fails (RFC 8460 §4.3.1 result type); true when it does. Under DANE, matches the TLSA records. */
  #certificateRefused(): boolean {
    const event = this.#event;
    const dane = this.#target.dnsPolicy;
    // `TLS-Required: No` relaxes the policy to opportunistic: DANE failures are then ignored (RFC 8689 §4.2.2).
    if (dane?.fact.source === 'dane' && dane.fact.authenticates && event.tls && this.#requiresTls) {
      const leaf = this.#client!.peerCertificate();
      const matched = leaf && daneMatch(dane.tlsa, { leaf, anchors: this.#target.presentedChain ?? [], chainAndNameValid: event.tls.verified });
      if (matched) {
        event.tlsPolicy = { ...dane.fact, matched };
        return false;
      }
      event.tlsFailure = { type: 'tlsa-invalid', detail: `no TLSA record of ${this.#target.servername} matches the certificate it presented` };
      return true;
    }
    if (dane?.certMatch && event.tls && this.#place.policy === 'verify') {
      const checked = checkPolicyMap(dane.certMatch, this.#client!.peerCertificate(), event.tls.verifyError);
      if ('matched' in checked) event.tlsPolicy = { ...dane.fact, matched: checked.matched };
      else if ('mismatch' in checked) event.tlsFailure = { type: 'certificate-host-mismatch', detail: checked.mismatch };
      if (!('chainFailed' in checked)) return 'mismatch' in checked;
    }
    if (!event.tls || event.tls.verified) return false;
    if (this.#place.policy !== 'verify') {
      // MTA-STS testing: a certificate not valid for the MX name is recorded, and accepted (RFC 8461 §5).
      if (dane?.reportsOnly) event.tlsFailure = { type: certificateFailureType(event.tls.verifyError), detail: event.tls.verifyError ?? '' };
      return false;
    }
    event.tlsFailure = { type: certificateFailureType(event.tls.verifyError), detail: event.tls.verifyError ?? '' };
    return true;
  }

  /** Why the certificate was refused: Node's verification error, no TLSA match (DANE), or no name in a policy map's match list. */
  #refusal(): string | undefined {
    const failure = this.#event.tlsFailure;
    return failure?.type === 'tlsa-invalid' ? 'no TLSA record matched' : failure?.detail || this.#event.tls?.verifyError;
  }

  /** The server's refusal ends the session: a 2xx where a 3xx/other was due counts as deferred. */
  #failWith(reply: SmtpReply): Promise<SessionResult> {
    const result = byCode(reply.code);
    return this.#finish(result === 'relayed' ? 'deferred' : result, replyOf(reply));
  }

  /** Ends the session (QUIT, or drop the connection when `quit` is false) and records its event. */
  async #finish(result: SessionEvent['result'], reply: SessionEvent['reply'], quit = true): Promise<SessionResult> {
    // RFC 8689 §5: a REQUIRETLS message that cannot have TLS, or a certificate that verifies, is returned at once (5.7.10), not retried.
    [result, reply] = returnedAtOnce(this.#place.requireTls, this.#event.tlsFailure, result, reply);
    const client = this.#client;
    if (client) {
      const { keep, policy } = this.#place;
      const event = this.#event;
      const kept = keep && result === 'relayed' && mayKeep(this.#target.policy, client.secure, event.plaintextRetry);
      if (kept) keep({ client, ehlo: this.#ehlo!, policy, facts: factsOf(event), carried: [...this.#carried, this.#message.id] });
      else if (quit) await client.quit();
      else client.destroy();
      this.#event.transcript = client.transcript.slice(this.#transcriptFrom);
      // A kept session's lines so far now live in this event: the next transaction's part starts afresh, so a session
      // that carries thousands of messages does not hold every one's transcript.
      if (kept) client.transcript.splice(0);
      if (client.preTlsReplies.length) this.#event.preTlsReplies = [...client.preTlsReplies];
    }
    this.#event.result = result;
    this.#event.reply = reply;
    this.#target.trace.emit(this.#event);
    return { result, reply, ...(this.#event.tlsFailure?.type === 'handshake-failure' ? { handshakeFailed: true } : {}) };
  }
}

/** A key of the policy, when its variant has it (undefined otherwise, or when absent). */
function optionOf<K extends 'starttlsTimedOut' | 'starttlsDropped' | 'pipelining' | 'reuseProbe'>(policy: object, key: K): string | boolean | undefined {
  return key in policy ? ((policy as Record<K, string | boolean | undefined>)[key]) : undefined;
}
