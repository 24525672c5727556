/**
 * Reads Sendmail's syslog lines (`sendmail[pid]: ...`, LogLevel 14). Queue ids are tied to
 * mailhop ids by `QID: from=<...>, ..., msgid=<m1....@client.mailhop.test>, proto=ESMTPS, ...`.
 * - inbound: `STARTTLS=server, relay=..., version=TLSv1.3, verify=NO, cipher=X` on the
 *   connection's process, then the `from=` line of each message it accepts;
 * - outbound: the delivering process logs `QID: SMTP outgoing connect on ...` for each new
 *   connection, `STARTTLS=client, relay=..., version=..., cipher=...` (or `STARTTLS=client, error:
 *   connect failed=..., reason=...`), then `QID: to=<...>, ..., stat=Sent (...)|Deferred: ...` per
 *   recipient. A failed handshake followed by a new connection and `stat=Sent` is a plaintext fallback.
 * - replies: a `to=` line quotes the next hop's reply in `reply=...` (before `stat=`, its last field), as
 *   `dsn=5.7.0, reply=530 5.7.0 Must issue a STARTTLS command first, stat=Service unavailable`; its own
 *   deferrals read `stat=Deferred: 454 4.7.0 TLS handshake failed.` (as observed with Sendmail 8.17).
 * - bounces: `QID: DSNQID: DSN: Service unavailable` says it queued the DSN to the `from=` sender (savemail.c
 *   `returntosender`); the DSN's own deliveries (and its return, `return to sender: ...`) are skipped.
 */
import { clip, mailhopIdOfMessageId, type AcceptedIdOf, type EngineLogReader, type LogFact } from './engine-definition.js';

type Tls = { version: string; cipher: string; verified?: true };

const LINE = /^sendmail\[(\d+)\]: (.*)$/;
const STARTTLS = /^STARTTLS=(server|client), relay=.*?, version=(\S+?), verify=\S+?, cipher=(\S+?),/;
const QID = /^([0-9A-Za-z]{14}):? (.*)$/;

export class SendmailLogReader implements EngineLogReader {
  private readonly serverTls = new Map<string, Tls | null>();
  /** Delivering process -> the queue id it works on and what its current connection did. */
  private readonly client = new Map<string, { qid: string; tls?: Tls; tlsLine?: string; failedBefore?: boolean }>();
  private readonly ids = new Map<string, string>();
  /** queue id -> envelope sender (`from=<...>`). */
  private readonly senders = new Map<string, string>();
  /** Queue ids of the DSNs it wrote itself. */
  private readonly dsns = new Set<string>();

  /** `idOf`: names the messages it accepts over SMTP (a `from=` line with `proto=`; its own DSNs have none). */
  constructor(private readonly idOf: AcceptedIdOf = mailhopIdOfMessageId) {}

  read(line: string): LogFact[] {
    const m = LINE.exec(line);
    if (!m) return [];
    const [, pid, text] = m;
    const tls = STARTTLS.exec(text);
    if (tls?.[1] === 'server') {
      this.serverTls.set(pid, { version: tls[2], cipher: tls[3] });
      return [];
    }
    const session = this.client.get(pid);
    if (tls?.[1] === 'client') {
      // verify=OK: the certificate chained to confCACERT; its name is the access map's CN requirement, which a relayed message passed.
      const verified = /, verify=OK,/.test(text) ? ({ verified: true } as const) : {};
      if (session) Object.assign(session, { tls: { version: tls[2], cipher: tls[3], ...verified }, tlsLine: line });
      return [];
    }
    if (/^STARTTLS=client, error: /.test(text)) {
      // The handshake failed; Sendmail then reconnects (or defers) for the same queue id.
      if (session) session.failedBefore = true;
      const reason = /reason=([^,]*)/.exec(text)?.[1] ?? text;
      return [{ kind: 'outbound', fact: 'tls-failed', messageId: session && this.ids.get(session.qid), reply: reason, line: clip(line) }];
    }
    if (/^NOQUEUE: connect from /.test(text)) {
      this.serverTls.set(pid, null);
      return [];
    }
    const q = QID.exec(text);
    if (!q) return [];
    const [, qid, rest] = q;
    if (rest.startsWith('SMTP outgoing connect')) {
      // A new connection: its TLS is not known yet; a failure on an earlier one for this message is remembered.
      this.client.set(pid, { qid, failedBefore: session?.qid === qid && session.failedBefore });
      return [];
    }
    if (this.dsns.has(qid)) return [];
    const dsn = /^([0-9A-Za-z]{14}): (?:DSN|return to sender): /.exec(rest);
    if (dsn) {
      this.dsns.add(dsn[1]);
      return [{ kind: 'dsn', messageId: this.ids.get(qid), to: this.senders.get(qid) ?? '', dsnId: dsn[1], line: clip(line) }];
    }
    const from = /^from=<([^>]*)>, .*?msgid=(<[^>]*>).*?proto=(\w+)(?:.*relay=\S* \[[^\]]*\](?::(\d+))?)?/.exec(rest);
    if (from) {
      this.senders.set(qid, from[1]);
      const id = this.ids.get(qid) ?? this.idOf(from[2]);
      if (!id) return [];
      this.ids.set(qid, id);
      const secure = /^ESMTPS/i.test(from[3]);
      return [{ kind: 'accepted', messageId: id, tls: secure ? (this.serverTls.get(pid) ?? { version: 'unknown', cipher: 'unknown' }) : null, remotePort: Number(from[4] ?? 0), line: clip(line) }];
    }
    const to = /^to=<[^>]*>, .*?stat=(.*)$/.exec(rest);
    if (!to) return [];
    const outcome = statusOf(to[1], rest);
    if (!outcome) return [];
    const messageId = this.ids.get(qid);
    const facts: LogFact[] = [];
    const own = session?.qid === qid ? session : undefined;
    if (own?.tls) facts.push({ kind: 'outbound', fact: 'tls', messageId, tls: own.tls, line: clip(own.tlsLine ?? line) });
    const { fact, reason, serverReply } = outcome;
    if (fact === 'relayed' && own?.failedBefore && !own.tls) {
      facts.push({ kind: 'outbound', fact: 'plaintext-fallback', messageId, reply: 'delivered over a new connection without STARTTLS', line: clip(line) });
    }
    const sender = fact === 'bounced' ? this.senders.get(qid) : undefined;
    facts.push({
      kind: 'outbound', fact, messageId, reply: reason, ...(serverReply ? { serverReply } : {}), ...(sender !== undefined ? { sender } : {}),
      ...(fact === 'relayed' && own?.tls ? { tls: own.tls } : {}), line: clip(line),
    });
    return facts;
  }
}

/**
 * What a `to=` line's `stat=` (its last field) and `reply=` say: `Sent (...)` relayed, `Deferred[: reason]` deferred,
 * `queued` nothing yet, anything else (`Service unavailable`, `User unknown`, with a 5.x.x `dsn=`) bounced.
 */
function statusOf(stat: string, rest: string): { fact: 'relayed' | 'deferred' | 'bounced'; reason: string; serverReply?: string } | undefined {
  if (/^queued\b/i.test(stat)) return undefined;
  // `reply=` may hold commas of its own: it runs up to the last `, stat=`.
  const serverReply = /, reply=(.*), stat=/.exec(rest)?.[1];
  const sent = /^Sent(?: \((.*)\))?$/.exec(stat);
  if (sent) return { fact: 'relayed', reason: sent[1] || 'Sent', ...(serverReply ? { serverReply } : {}) };
  const deferred = /^Deferred(?:: (.*))?$/.exec(stat);
  if (deferred) return { fact: 'deferred', reason: deferred[1] || 'Deferred', ...(serverReply ? { serverReply } : {}) };
  return { fact: 'bounced', reason: stat, ...(serverReply ? { serverReply } : {}) };
}
