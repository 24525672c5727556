/**
 * Reads Exim's log through syslog (`exim[pid]: 2026-11-29 21:06:56 <QID> <flag> ...`). One line per
 * event carries everything (the Exim specification, chapter "Log files": the `<=`, `=>`, `==` and `**`
 * flags and the `X=` field; the lines below as observed with Exim 4.96 from Debian 12; how mailhop runs
 * it: docs/engines.md#exim):
 * - `<= sender H=(helo) [ip]:port P=esmtps X=TLS1.3:CIPHER:256 ... id=<Message-ID>`: accepted;
 * - `=> rcpt R=... T=remote_smtp H=... X=TLS1.3:...`: relayed (over TLS when `X=` is there);
 * - `== rcpt ... defer (-38) ...: reason`: deferred; `** rcpt ...: reply`: bounced;
 * - `TLS session: (gnutls_handshake): ...: delivering unencrypted to H=... (not in hosts_require_tls)`:
 *   the handshake failed and it goes on in plaintext at once.
 * - replies: the reason follows the line's fields after the first `: ` and quotes the next hop's reply as
 *   `SMTP error from remote mail server after MAIL FROM:<...> SIZE=1601: 530 5.7.0 ...`;
 * - bounces: `DSNQID <= <> R=QID U=Debian-exim P=local ...` is the DSN it queued for message QID (`R=`,
 *   chapter "Log files": the id of the message it refers to), to QID's sender; the DSN's own deliveries are skipped.
 */
import { clip, mailhopIdOfMessageId, tlsVersionName, type AcceptedIdOf, type EngineLogReader, type LogFact } from './engine-definition.js';

const LINE = /^exim\[\d+\]: (?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?(.*)$/;
const QID = /^([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (.*)$/;

function tlsOf(text: string, verified = false): { version: string; cipher: string; verified?: true } | null {
  const x = / X=(TLS[\d.]+|TLSv[\d.]+):(\S+?)(?::\d+)?(?= |$)/.exec(text);
  if (!x) return null;
  const version = tlsVersionName(x[1]);
  return { version, cipher: gnutlsSuiteName(version, x[2]), ...(verified ? { verified } : {}) };
}

/** AEAD ciphers as GnuTLS names them, and the hash their IANA suite names carry. */
const AEAD: Record<string, { v13: string; hash: string }> = {
  AES_128_GCM: { v13: 'TLS_AES_128_GCM_SHA256', hash: 'SHA256' },
  AES_256_GCM: { v13: 'TLS_AES_256_GCM_SHA384', hash: 'SHA384' },
  CHACHA20_POLY1305: { v13: 'TLS_CHACHA20_POLY1305_SHA256', hash: 'SHA256' },
  AES_128_CCM: { v13: 'TLS_AES_128_CCM_SHA256', hash: 'SHA256' },
};

/**
 * The IANA name (TLS Cipher Suites registry, as Node's `standardName` gives it) for the cipher
 * part of Exim's `X=` field. Debian's Exim is built on GnuTLS and logs the session description
 * (`gnutls_session_get_desc`, punctuation turned into `_`): key exchange, `__`, signature, `__`,
 * cipher, e.g. `ECDHE_X25519__ECDSA_SECP256R1_SHA256__AES_256_GCM` (observed with Exim 4.96). The other
 * witnesses name suites the IANA way, so the same session must not read as two ciphers.
 *
 * Mapped: TLS 1.3 by cipher alone (RFC 8446 §B.4); TLS 1.2 ECDHE/DHE with an AEAD cipher, from the
 * key exchange and the signature's key type (RFC 5289, RFC 7905). Anything else (CBC suites,
 * whose MAC the description omits, or an OpenSSL build's names) is returned unchanged.
 */
export function gnutlsSuiteName(version: string, described: string): string {
  const parts = described.split('__');
  if (parts.length !== 3) return described;
  const [kx, sig, cipher] = parts;
  const aead = AEAD[cipher];
  if (!aead) return described;
  if (version === 'TLSv1.3') return aead.v13;
  const exchange = /^(ECDHE|DHE)_/.exec(kx)?.[1];
  const auth = /^(ECDSA|RSA)/.exec(sig)?.[1];
  if (version !== 'TLSv1.2' || !exchange || !auth) return described;
  return `TLS_${exchange}_${auth}_WITH_${cipher}_${aead.hash}`;
}

/** The next hop's reply in an Exim reason: `SMTP error from remote mail server after <command>: <reply>`. */
const QUOTED_REPLY = /SMTP error from remote (?:mail server|mailer) after .*?: ([245]\d\d(?:[ -].*)?)$/;

/** An outcome line's reason: what follows its fields (`R=`, `T=`, `H=host [ip]:port`, `X=...`, `CV=...`), after the first `: `. */
function reasonOf(rest: string): { reply: string; serverReply?: string } {
  const at = rest.indexOf(': ');
  const reply = at < 0 ? rest.slice(3) : rest.slice(at + 2);
  const serverReply = QUOTED_REPLY.exec(reply)?.[1];
  return { reply, ...(serverReply ? { serverReply } : {}) };
}

export class EximLogReader implements EngineLogReader {
  private readonly ids = new Map<string, string>();
  /** queue id -> envelope sender (`<= sender`). */
  private readonly senders = new Map<string, string>();
  /** Queue ids of the DSNs it wrote itself. */
  private readonly dsns = new Set<string>();
  /** queue id -> its last "DANE attempt failed" line, which names the TLSA failure its next deferral only describes. */
  private readonly daneFailures = new Map<string, string>();

  /** `idOf`: names the messages it accepts from a host (`<= ... H=...`); its own bounces (`P=local`) only by mailhop's id. */
  constructor(private readonly idOf: AcceptedIdOf = mailhopIdOfMessageId) {}

  read(line: string): LogFact[] {
    const body = LINE.exec(line)?.[1];
    const q = body ? QID.exec(body) : null;
    if (!q) return [];
    const [, qid, rest] = q;
    if (this.dsns.has(qid)) return [];
    const messageId = this.ids.get(qid);
    const dsn = /^<= <> R=(\S+) (?!.* H=)/.exec(rest);
    if (dsn) {
      this.dsns.add(qid);
      return [{ kind: 'dsn', messageId: this.ids.get(dsn[1]), to: this.senders.get(dsn[1]) ?? '', dsnId: qid, line: clip(line) }];
    }
    if (rest.startsWith('<= ')) {
      this.senders.set(qid, /^<= (\S+)/.exec(rest)![1].replace(/^<>$/, ''));
      const header = / id=(\S+)/.exec(rest)?.[1] ?? '';
      const id = / H=/.test(rest) ? this.idOf(header) : mailhopIdOfMessageId(header);
      if (!id) return [];
      this.ids.set(qid, id);
      const port = Number(/ H=.*?\[[^\]]+\]:(\d+)/.exec(rest)?.[1] ?? 0);
      return [{ kind: 'accepted', messageId: id, tls: tlsOf(rest), remotePort: port, line: clip(line) }];
    }
    if (rest.startsWith('=> ')) {
      const local = / T=maildir_delivery\b/.test(rest);
      // CV=yes: the server's certificate was verified (log_selector tls_certificate_verified, on by default);
      // CV=dane: verified by DANE TLSA records (observed with Exim 4.96, hosts_try_dane).
      const tls = tlsOf(rest, / CV=(?:yes|dane)\b/.test(rest));
      const reply = / C="([^"]*)"/.exec(rest)?.[1] ?? '';
      const serverReply = reply ? { serverReply: reply } : {};
      return [
        ...(tls ? [{ kind: 'outbound' as const, fact: 'tls' as const, messageId, tls, line: clip(line) }] : []),
        { kind: 'outbound', fact: 'relayed', messageId, reply, ...serverReply, ...(tls ? { tls } : {}), ...(local ? { local } : {}), line: clip(line) },
      ];
    }
    // Observed with Exim 4.96 under hosts_try_dane: `DANE attempt failed; TLS connection to mx [ip]: (certificate
    // verification failed): Verification failed. The certificate differs.`, then the `==` deferral.
    if (rest.startsWith('DANE attempt failed; ')) {
      this.daneFailures.set(qid, line);
      return [];
    }
    if (rest.startsWith('== ')) {
      const reason = reasonOf(rest);
      const dane = this.daneFailures.get(qid);
      this.daneFailures.delete(qid);
      const failure = dane ? { reply: dane.slice(dane.indexOf('DANE attempt failed; ')).trim(), line: clip(dane) } : { line: clip(line) };
      // A failed TLSA lookup (`DANE error: tlsa lookup DEFER`) is decided before connecting: no TLS was tried.
      const failed = /TLS|gnutls/i.test(reason.reply) && !/DANE error: tlsa lookup/.test(reason.reply) ? [{ kind: 'outbound' as const, fact: 'tls-failed' as const, messageId, ...failure }] : [];
      return [...failed, { kind: 'outbound', fact: 'deferred', messageId, ...reason, line: clip(line) }];
    }
    if (rest.startsWith('** ')) {
      const sender = this.senders.get(qid);
      return [{ kind: 'outbound', fact: 'bounced', messageId, ...reasonOf(rest), ...(sender !== undefined ? { sender } : {}), line: clip(line) }];
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
