/**
 * Reads Exim's log through syslog (`exim[pid]: 2026-11-29 21:06:56 <QID> <flag> ...`). One line per
 * event carries everything (real-mtas.md §4, §5.3):
 * - `<= sender H=(helo) [ip]:port P=esmtps X=TLS1.3:CIPHER:256 ... id=<Message-ID>`: accepted;
 * - `=> rcpt R=... T=remote_smtp H=... X=TLS1.3:...`: relayed (over TLS when `X=` is there);
 * - `== rcpt ... defer (-38) ...: reason`: deferred; `** rcpt ...: reply`: bounced;
 * - `TLS session: (gnutls_handshake): ...: delivering unencrypted to H=... (not in hosts_require_tls)`:
 *   the handshake failed and it goes on in plaintext at once.
 */
import { clip, mailhopIdOfMessageId, tlsVersionName, type EngineLogReader, type LogFact } from './engine-definition.js';

const LINE = /^exim\[\d+\]: (?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?(.*)$/;
const QID = /^([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (.*)$/;

function tlsOf(text: string): { version: string; cipher: string } | null {
  const x = / X=(TLS[\d.]+|TLSv[\d.]+):(\S+?)(?::\d+)?(?= |$)/.exec(text);
  return x ? { version: tlsVersionName(x[1]), cipher: x[2] } : null;
}

export class EximLogReader implements EngineLogReader {
  private readonly ids = new Map<string, string>();

  read(line: string): LogFact[] {
    const body = LINE.exec(line)?.[1];
    const q = body ? QID.exec(body) : null;
    if (!q) return [];
    const [, qid, rest] = q;
    const messageId = this.ids.get(qid);
    if (rest.startsWith('<= ')) {
      const id = mailhopIdOfMessageId(/ id=(\S+)/.exec(rest)?.[1] ?? '');
      if (!id) return [];
      this.ids.set(qid, id);
      const port = Number(/ H=.*?\[[^\]]+\]:(\d+)/.exec(rest)?.[1] ?? 0);
      return [{ kind: 'accepted', messageId: id, tls: tlsOf(rest), remotePort: port, line: clip(line) }];
    }
    if (rest.startsWith('=> ')) {
      const local = / T=maildir_delivery\b/.test(rest);
      const tls = tlsOf(rest);
      const reply = / C="([^"]*)"/.exec(rest)?.[1] ?? '';
      return [
        ...(tls ? [{ kind: 'outbound' as const, fact: 'tls' as const, messageId, tls, line: clip(line) }] : []),
        { kind: 'outbound', fact: 'relayed', messageId, reply, ...(tls ? { tls } : {}), ...(local ? { local } : {}), line: clip(line) },
      ];
    }
    if (rest.startsWith('== ')) {
      const reason = /defer \(-?\d+\)(?: H=\S+ \[[^\]]*\](?::\d+)?)?:? (.*)$/.exec(rest)?.[1] ?? rest.slice(3);
      const failed = /TLS|gnutls/i.test(reason) ? [{ kind: 'outbound' as const, fact: 'tls-failed' as const, messageId, line: clip(line) }] : [];
      return [...failed, { kind: 'outbound', fact: 'deferred', messageId, reply: reason, line: clip(line) }];
    }
    if (rest.startsWith('** ')) {
      return [{ kind: 'outbound', fact: 'bounced', messageId, reply: rest.replace(/^\*\* \S+ (?:R=\S+ )?(?:T=\S+ )?(?:H=\S+ \[[^\]]*\](?::\d+)? )?:?\s*/, ''), line: clip(line) }];
    }
    if (/delivering unencrypted to/.test(rest)) {
      return [
        { kind: 'outbound', fact: 'tls-failed', messageId, line: clip(line) },
        { kind: 'outbound', fact: 'plaintext-fallback', messageId, line: clip(line) },
      ];
    }
    return [];
  }
}
