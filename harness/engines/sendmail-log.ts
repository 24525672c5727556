/**
 * Reads Sendmail's syslog lines (`sendmail[pid]: ...`, LogLevel 14). Queue ids are tied to
 * mailhop ids by `QID: from=<...>, ..., msgid=<m1....@client.mailhop.test>, proto=ESMTPS, ...`.
 * - inbound: `STARTTLS=server, relay=..., version=TLSv1.3, verify=NO, cipher=X` on the
 *   connection's process, then the `from=` line of each message it accepts;
 * - outbound: the delivering process logs `QID: SMTP outgoing connect on ...` for each new
 *   connection, `STARTTLS=client, relay=..., version=..., cipher=...` (or `STARTTLS=client, error:
 *   connect failed=..., reason=...`), then `QID: to=<...>, ..., stat=Sent (...)|Deferred: ...` per
 *   recipient. A failed handshake followed by a new connection and `stat=Sent` is a plaintext fallback.
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
    const from = /^from=<[^>]*>, .*?msgid=(<[^>]*>).*?proto=(\w+)(?:.*relay=\S* \[[^\]]*\](?::(\d+))?)?/.exec(rest);
    if (from) {
      const id = this.ids.get(qid) ?? this.idOf(from[1]);
      if (!id) return [];
      this.ids.set(qid, id);
      const secure = /^ESMTPS/i.test(from[2]);
      return [{ kind: 'accepted', messageId: id, tls: secure ? (this.serverTls.get(pid) ?? { version: 'unknown', cipher: 'unknown' }) : null, remotePort: Number(from[3] ?? 0), line: clip(line) }];
    }
    const to = /^to=<[^>]*>, .*?stat=(\w+)(?::? ?(.*))?$/.exec(rest);
    if (!to) return [];
    const messageId = this.ids.get(qid);
    const facts: LogFact[] = [];
    const own = session?.qid === qid ? session : undefined;
    if (own?.tls) facts.push({ kind: 'outbound', fact: 'tls', messageId, tls: own.tls, line: clip(own.tlsLine ?? line) });
    const stat = to[1];
    const reply = (to[2] ?? '').replace(/^\(|\)$/g, '');
    const fact = stat === 'Sent' ? 'relayed' : stat === 'Deferred' ? 'deferred' : 'bounced';
    if (fact === 'relayed' && own?.failedBefore && !own.tls) {
      facts.push({ kind: 'outbound', fact: 'plaintext-fallback', messageId, reply: 'delivered over a new connection without STARTTLS', line: clip(line) });
    }
    facts.push({ kind: 'outbound', fact, messageId, reply: reply || stat, ...(fact === 'relayed' && own?.tls ? { tls: own.tls } : {}), line: clip(line) });
    return facts;
  }
}
