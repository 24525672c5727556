/**
 * Reads Sendmail's syslog lines (`sendmail[pid]: ...`, LogLevel 14). Queue ids are tied to
 * mailhop ids by `QID: from=<...>, ..., msgid=<m1....@client.mailhop.test>, proto=ESMTPS, ...`.
 * - inbound: `STARTTLS=server, relay=..., version=TLSv1.3, verify=NO, cipher=X` on the
 *   connection's process, then the `from=` line of each message it accepts;
 * - outbound: the delivering process logs `QID: SMTP outgoing connect on ...` for each new
 *   connection, `STARTTLS=client, relay=..., version=..., cipher=...` (or an error), then
 *   `QID: to=<...>, ..., stat=Sent (...)|Deferred: ...` per recipient.
 */
import { clip, mailhopIdOfMessageId, type EngineLogReader, type LogFact } from './engine-definition.js';

type Tls = { version: string; cipher: string };

const LINE = /^sendmail\[(\d+)\]: (.*)$/;
const STARTTLS = /^STARTTLS=(server|client), relay=.*?, version=(\S+?), verify=\S+?, cipher=(\S+?),/;
const QID = /^([0-9A-Za-z]{14}):? (.*)$/;

export class SendmailLogReader implements EngineLogReader {
  private readonly serverTls = new Map<string, Tls | null>();
  private readonly client = new Map<string, { tls?: Tls; tlsLine?: string; failure?: string }>();
  private readonly ids = new Map<string, string>();

  read(line: string): LogFact[] {
    const m = LINE.exec(line);
    if (!m) return [];
    const [, pid, text] = m;
    const tls = STARTTLS.exec(text);
    if (tls?.[1] === 'server') {
      this.serverTls.set(pid, { version: tls[2], cipher: tls[3] });
      return [];
    }
    if (tls?.[1] === 'client') {
      this.client.set(pid, { tls: { version: tls[2], cipher: tls[3] }, tlsLine: line });
      return [];
    }
    if (/^STARTTLS=client, error:|^STARTTLS: (?:read|write) error|^STARTTLS=client: .*SSL_connect/.test(text)) {
      this.client.set(pid, { failure: text });
      return [];
    }
    if (/^NOQUEUE: connect from /.test(text)) {
      this.serverTls.set(pid, null);
      return [];
    }
    const q = QID.exec(text);
    if (!q) return [];
    const [, qid, rest] = q;
    if (rest.startsWith('SMTP outgoing connect')) {
      this.client.delete(pid);
      return [];
    }
    const from = /^from=<[^>]*>, .*?msgid=(<[^>]*>).*?proto=(\w+)(?:.*relay=\S* \[[^\]]*\](?::(\d+))?)?/.exec(rest);
    if (from) {
      const id = mailhopIdOfMessageId(from[1]);
      if (!id) return [];
      this.ids.set(qid, id);
      const secure = /^ESMTPS/i.test(from[2]);
      return [{ kind: 'accepted', messageId: id, tls: secure ? (this.serverTls.get(pid) ?? { version: 'unknown', cipher: 'unknown' }) : null, remotePort: Number(from[3] ?? 0), line: clip(line) }];
    }
    const to = /^to=<[^>]*>, .*?stat=(\w+)(?::? ?(.*))?$/.exec(rest);
    if (!to) return [];
    const messageId = this.ids.get(qid);
    const facts: LogFact[] = [];
    const session = this.client.get(pid);
    if (session?.tls) facts.push({ kind: 'outbound', fact: 'tls', messageId, tls: session.tls, line: clip(session.tlsLine ?? line) });
    if (session?.failure) facts.push({ kind: 'outbound', fact: 'tls-failed', messageId, line: clip(session.failure) });
    const stat = to[1];
    const reply = (to[2] ?? '').replace(/^\(|\)$/g, '');
    const fact = stat === 'Sent' ? 'relayed' : stat === 'Deferred' ? 'deferred' : 'bounced';
    if (fact === 'relayed' && session?.failure) facts.push({ kind: 'outbound', fact: 'plaintext-fallback', messageId, line: clip(line) });
    facts.push({ kind: 'outbound', fact, messageId, reply: reply || stat, ...(fact === 'relayed' && session?.tls ? { tls: session.tls } : {}), line: clip(line) });
    return facts;
  }
}
