/**
 * Reads Postfix's log (syslog lines `postfix/<service>[pid]: ...`). Ties lines to mailhop's
 * message ids through the queue id: cleanup logs `QID: message-id=<m1....@client.mailhop.test>`.
 * - inbound: smtpd's `Anonymous TLS connection established from ...` and `QID: client=...[ip]:port`
 *   give the receiver's account of each accepted message;
 * - outbound: smtp's `... TLS connection established to ...: TLSv1.3 with cipher X`, `SSL_connect
 *   error`, and the `QID: to=<...>, ..., status=sent|deferred|bounced (reply)` line per recipient
 *   (Postfix's TLS_README, "Client-side TLS activity logging", and postconf(5) `smtp_tls_loglevel`; the
 *   lines as observed with Postfix 3.7 from Debian 12, run as docs/engines.md#postfix describes).
 *   Connection caching is off (postconf(5) `smtp_connection_cache_on_demand = no`), so a TLS line
 *   belongs to the next status line of the same smtp process.
 * - replies: a status line quotes the next hop's reply as `host X[ip] said: 530 5.7.0 ... (in reply to MAIL FROM
 *   command)` (or `refused to talk to me: ...` for the greeting); its own reasons (`Cannot start TLS: handshake
 *   failure`) come with `dsn=`.
 * - bounces: qmgr's `QID: from=<sender>, ...` names the envelope sender; the bounce service's `QID: sender
 *   non-delivery notification: DSNQID` says it queued the DSN (bounce(8)), whose own deliveries are skipped.
 */
import { clip, mailhopIdOfMessageId, type AcceptedIdOf, type EngineLogReader, type LogFact } from './engine-definition.js';
import { isReplyLine } from './engine-replies.js';

type Tls = { version: string; cipher: string; verified?: true };

const LINE = /^postfix\/([\w-]+)\[(\d+)\]: (.*)$/;
const TLS_ESTABLISHED = /^(?:Anonymous|Untrusted|Trusted|Verified) TLS connection established (from|to) [^:]+(?::\d+)?: (TLSv[\d.]+) with cipher (\S+)/;
const STATUS = /^([0-9A-F]{6,}): to=<[^>]*>,.*? relay=([^,]+),.*? status=(sent|deferred|bounced|expired) \((.*)\)$/;
/** The next hop's reply inside a status text: `host X[ip] said: REPLY (in reply to CMD command)`, `... refused to talk to me: REPLY`. */
const QUOTED_REPLY = /(?:\bsaid|refused to talk to me): (.*?)(?: \(in reply to [^()]* command\))?$/;

export class PostfixLogReader implements EngineLogReader {
  /** smtpd process -> TLS of its current inbound connection. */
  private readonly smtpdTls = new Map<string, Tls | null>();
  /** queue id -> how it came in (when it came in over SMTP). */
  private readonly inbound = new Map<string, { tls: Tls | null; port: number }>();
  /** queue id -> mailhop id. */
  private readonly ids = new Map<string, string>();
  /** smtp process -> TLS (or TLS failure) of the connection its next status line reports. */
  private readonly pending = new Map<string, { tls?: Tls; tlsLine?: string; failure?: string }>();
  /** queue id -> envelope sender (qmgr's `from=`). */
  private readonly senders = new Map<string, string>();
  /** Queue ids of the DSNs it wrote itself. */
  private readonly dsns = new Set<string>();

  constructor(private readonly idOf: AcceptedIdOf = mailhopIdOfMessageId) {}

  read(line: string): LogFact[] {
    const m = LINE.exec(line);
    if (!m) return [];
    const [, service, pid, text] = m;
    const facts: LogFact[] = [];
    const tls = TLS_ESTABLISHED.exec(text);
    if (service === 'smtpd') {
      if (text.startsWith('connect from ')) this.smtpdTls.set(pid, null);
      else if (tls?.[1] === 'from') this.smtpdTls.set(pid, { version: tls[2], cipher: tls[3] });
      const client = /^([0-9A-F]{6,}): client=[^\[]*\[[^\]]*\](?::(\d+))?/.exec(text);
      if (client) this.inbound.set(client[1], { tls: this.smtpdTls.get(pid) ?? null, port: Number(client[2] ?? 0) });
    } else if (service === 'cleanup') {
      const mid = /^([0-9A-F]{6,}): message-id=(<[^>]*>)/.exec(text);
      // Mail that came in over SMTP is named by idOf; anything else (a DSN Postfix writes itself) only by mailhop's own id.
      const how = mid ? this.inbound.get(mid[1]) : undefined;
      const id = mid && !this.ids.has(mid[1]) ? (how ? this.idOf(mid[2]) : mailhopIdOfMessageId(mid[2])) : undefined;
      if (mid && id) {
        this.ids.set(mid[1], id);
        if (how) facts.push({ kind: 'accepted', messageId: id, tls: how.tls, remotePort: how.port, line: clip(line) });
      }
    } else if (service === 'smtp') {
      // "Verified": the certificate chained to smtp_tls_CAfile and matched smtp_tls_verify_cert_match (TLS_README, "Client-side TLS activity logging").
      const verified = text.startsWith('Verified ') ? ({ verified: true } as const) : {};
      // The TLS line follows a DANE failure of the same connection (below): keep that failure beside it.
      if (tls?.[1] === 'to') this.pending.set(pid, { ...this.pending.get(pid), tls: { version: tls[2], cipher: tls[3], ...verified }, tlsLine: line });
      const status = STATUS.exec(text);
      if (status) facts.push(...this.status(pid, status, line));
      else if (/^SSL_connect error to |Cannot start TLS/.test(text)) this.pending.set(pid, { failure: line });
      // At level dane: the certificate matched no TLSA record; the status line says only "Server certificate not
      // verified" (observed with Postfix 3.7.x: `server certificate verification failed for mx[ip]:25: num=65:no
      // matching DANE TLSA records`, before the "Untrusted TLS connection established" line).
      else if (/^server certificate verification failed for .*DANE TLSA/.test(text)) this.pending.set(pid, { failure: line });
    } else if (service === 'virtual') {
      const status = STATUS.exec(text);
      if (status?.[3] === 'sent') facts.push({ kind: 'outbound', fact: 'relayed', messageId: this.ids.get(status[1]), local: true, line: clip(line) });
    } else if (service === 'qmgr' || service === 'bounce') {
      const from = /^([0-9A-F]{6,}): from=<([^>]*)>, size=/.exec(text);
      if (from && !this.senders.has(from[1])) this.senders.set(from[1], from[2]);
      const dsn = /^([0-9A-F]{6,}): sender non-delivery notification: ([0-9A-F]{6,})$/.exec(text);
      if (dsn) facts.push(this.dsn(dsn[1], dsn[2], line));
      // qmgr logs `QID: to=<...>, ..., status=expired` when the queue lifetime ends.
      const status = STATUS.exec(text);
      if (status) facts.push(...this.status(pid, status, line));
    }
    return facts;
  }

  /** The bounce service queued DSN `dsnId` for message `qid`: a fact, and its own deliveries are not the chain's. */
  private dsn(qid: string, dsnId: string, line: string): LogFact {
    this.dsns.add(dsnId);
    return { kind: 'dsn', messageId: this.ids.get(qid), to: this.senders.get(qid) ?? '', dsnId, line: clip(line) };
  }

  private status(pid: string, status: RegExpExecArray, line: string): LogFact[] {
    const [, qid, , result, reply] = status;
    const pending = this.pending.get(pid);
    this.pending.delete(pid);
    if (this.dsns.has(qid)) return [];
    const messageId = this.ids.get(qid);
    const facts: LogFact[] = [];
    if (pending?.tls) facts.push({ kind: 'outbound', fact: 'tls', messageId, tls: pending.tls, line: clip(pending.tlsLine ?? line) });
    if (pending?.failure) {
      facts.push({ kind: 'outbound', fact: 'tls-failed', messageId, reply: pending.failure.replace(/^.*?\]: (?:[0-9A-F]{6,}: )?/, ''), line: clip(pending.failure) });
      // Level may: a failed handshake on a later attempt, then a new plaintext connection (Postfix HISTORY 20140218,
      // `smtp_tls_security_level = may`; docs/behaviour.md#B-handshake-postfix).
      if (result === 'sent') facts.push({ kind: 'outbound', fact: 'plaintext-fallback', messageId, reply: 'delivered over a new plaintext connection', line: clip(line) });
    }
    const fact = result === 'sent' ? 'relayed' : result === 'deferred' ? 'deferred' : 'bounced';
    const serverReply = isReplyLine(reply) ? reply : QUOTED_REPLY.exec(reply)?.[1];
    const sender = fact === 'bounced' ? this.senders.get(qid) : undefined;
    facts.push({
      kind: 'outbound', fact, messageId, reply, ...(serverReply ? { serverReply } : {}), ...(sender !== undefined ? { sender } : {}),
      ...(pending?.tls && fact === 'relayed' ? { tls: pending.tls } : {}), line: clip(line),
    });
    return facts;
  }
}
