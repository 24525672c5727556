/**
 * A small SMTP client connection used by every relaying hop and by the injecting client.
 * mailhop writes its own instead of using nodemailer's because the relay policies need to act on
 * each step (STARTTLS not advertised, non-220 reply, handshake failure, certificate result) and the
 * report needs the exact transcript of every session.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { MailhopError } from '../errors.js';
import type { TlsVersion } from '../scenario/schema.js';
import { ReplyReader, type SmtpReply, type TranscriptLine } from './reply-reader.js';
import { REAL_WAITS, waited, type ConnectionWaits } from './connection-waits.js';
import type { TlsSessionCache } from './tls-session-cache.js';
import { keepIssuedSessions, summarizeTls, type TlsSummary } from './tls-summary.js';

export type { SmtpReply, TranscriptLine } from './reply-reader.js';
export type { TlsSummary } from './tls-summary.js';


/** Options of one client connection. */
export interface SmtpClientOptions {
  host: string;
  port: number;
  /** Name announced in EHLO. */
  ehloName: string;
  /** Limit for connecting and for each reply (and for the handshake, unless `handshakeTimeoutMs`), ms: real time unless `waits` says otherwise. */
  timeoutMs: number;
  /** Limit for the TLS handshake after STARTTLS, ms (Postfix smtp_starttls_timeout); default `timeoutMs`. */
  handshakeTimeoutMs?: number;
  /**
   * How the waits of the open connection (each reply, the handshake) elapse, given its local port once connected
   * (connection-waits.ts); default real time. Connecting itself is always timed in real time.
   */
  waits?: (localPort: number) => ConnectionWaits;
  /** Name the peer's certificate must carry (SNI and hostname check). */
  servername: string;
  /** PEM CA certificates trusted for verification (the run's CA). */
  ca: string[];
  /**
   * A prebuilt context holding `ca` (and `ciphers`), reused across connections; when given, `ca`,
   * `ciphers` and the version limits are taken from it instead.
   */
  secureContext?: tls.SecureContext;
  /** TLS versions the client accepts (default Node's TLSv1.2..TLSv1.3). */
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /**
   * OpenSSL cipher string offered instead of Node's default (e.g. `ALL:eNULL:@SECLEVEL=0`). A `minVersion` below
   * TLSv1.2 needs `@SECLEVEL=0` in it to succeed with OpenSSL 3 (client-tls-contexts.ts `clientTlsOptions` adds it).
   */
  ciphers?: string;
  /**
   * The sessions kept for this next hop (`outbound.tlsResumption: tickets`): the kept one is offered in the ClientHello,
   * and each session the server issues is kept for the next connection. Absent: every handshake is a full one.
   */
  tlsSessions?: TlsSessionCache;
}

/**
 * One SMTP client session over a real socket, with STARTTLS (RFC 3207).
 * Every method throws {@link MailhopError}: `ESOCKET` (connection closed or failed),
 * `ETIMEOUT` (no reply within timeoutMs), `ETLS` (handshake failed) or `ESMTP` (a reply breaks
 * RFC 5321 §4.2 or a bound of reply-reader.ts: line length, lines per reply, unread replies).
 */
export class SmtpClient {
  readonly transcript: TranscriptLine[] = [];
  /**
   * Replies read inside TLS whose bytes arrived in clear before the handshake (`startTls('keep')`), each with the
   * command it was read as the answer to, in order: what the client believed that no TLS protected.
   */
  readonly preTlsReplies: Array<{ command: string; reply: string }> = [];
  /** Local TCP port of the connection (lets the report match the link proxy's record). */
  localPort = 0;
  /** Local address of the connection: with the port, what the link proxy sees as its client. */
  localAddress = '';
  private socket: net.Socket | tls.TLSSocket;
  private readonly replies: ReplyReader;
  private readonly waits: ConnectionWaits;
  private tlsActive = false;

  private constructor(
    private readonly opts: SmtpClientOptions,
    socket: net.Socket,
  ) {
    this.socket = socket;
    this.localPort = socket.localPort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    this.waits = opts.waits?.(this.localPort) ?? REAL_WAITS;
    this.replies = new ReplyReader(opts.timeoutMs, this.transcript, this.waits);
    this.attach(socket);
  }

  /** Opens the TCP connection (no greeting read yet). */
  static connect(opts: SmtpClientOptions): Promise<SmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MailhopError('ETIMEOUT', `connect to ${opts.host}:${opts.port} timed out after ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new SmtpClient(opts, socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new MailhopError('ESOCKET', `connect to ${opts.host}:${opts.port} failed: ${err.message}`, {}, { cause: err }));
      });
    });
  }

  get secure(): boolean {
    return this.tlsActive;
  }

  /** The certificate the server presented in the TLS session, once there is one (what DANE matches TLSA records against). */
  peerCertificate(): X509Certificate | undefined {
    return this.tlsActive ? (this.socket as tls.TLSSocket).getPeerX509Certificate() : undefined;
  }

  /**
   * Octets received and not yet read, 0 when the last reply was all the server sent. Read right after the 220 to
   * STARTTLS, it counts bytes that trail that reply before the handshake (an injected response, docs/behaviour.md#A-inject-response):
   * `startTls` discards them, a caller may refuse to go on instead. Like the products, it sees only what has
   * arrived by then: bytes sent in a later segment are discarded by `startTls` all the same.
   */
  get bufferedOctets(): number {
    return this.replies.buffered;
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.replies.push(chunk));
    socket.on('error', (err) => this.replies.end({ code: 'ESOCKET', message: `connection error: ${err.message}`, cause: err }));
    socket.on('close', () => this.replies.end({ code: 'ESOCKET', message: 'connection closed by peer' }));
  }

  /** Reads one (possibly multiline) reply (reply-reader.ts has the rules and bounds). */
  async readReply(command = 'greeting'): Promise<SmtpReply> {
    const reply = await this.replies.read(command);
    if (reply.preTls) this.preTlsReplies.push({ command, reply: reply.lines.map((l, i) => `${reply.code}${i < reply.lines.length - 1 ? '-' : ' '}${l}`).join(' / ') });
    return reply;
  }

  /** Sends one command line (CRLF added) and reads its reply. */
  async command(line: string): Promise<SmtpReply> {
    this.write(line);
    return this.readReply(replyLabel(line));
  }

  /**
   * Writes command lines without reading (CRLF added to each), as UTF-8: the only encoding RFC 6531 §3.3 allows
   * for non-ASCII addresses (latin1 would send `é` as a lone 0xE9 byte and drop the high byte of `用`).
   * ASCII lines are the same bytes either way.
   */
  write(...lines: string[]): void {
    for (const line of lines) this.transcript.push({ dir: 'C', text: line });
    // Several lines (a pipelined group, RFC 2920) go in one write: one TLS record, one segment.
    this.socket.write(lines.length === 1 ? `${lines[0]}\r\n` : lines.map((line) => `${line}\r\n`).join(''), 'utf8');
  }

  /**
   * Sends the message content after a 354, then reads the final reply. Every byte goes as it is
   * (latin1 both ways: NUL, 8-bit bytes, bare CR, lines of any length), except:
   * - a bare LF is a line end and goes as CRLF (RFC 5321 §2.3.8 allows no other line end);
   * - content not ending in CRLF gets one, since the CRLF before the final `.` belongs to the content
   *   (RFC 5321 §4.1.1.4): `abc` arrives as `abc` CRLF, `abc` CR as `abc` CR CRLF;
   * - a `.` that starts a line, after CRLF or at the very start, is doubled (RFC 5321 §4.5.2), and the
   *   receiver removes it again. Not after a bare CR: JavaScript's `^` with the `m` flag also matches
   *   there, and `price` CR `.99` once arrived as `price` CR `.....99` after four relays.
   */
  async sendData(raw: Buffer): Promise<SmtpReply> {
    this.transcript.push({ dir: 'C', text: `[message content, ${raw.length} bytes]` });
    this.transcript.push({ dir: 'C', text: '.' });
    if (sendsAsIs(raw)) {
      // Nothing to change (the usual case): the bytes go as they are, without a copy per relay.
      // One write for content and end of data: one TLS record and one segment, not two (corked, without a copy here).
      this.socket.cork();
      this.socket.write(raw);
      this.socket.write(raw.at(-1) === 0x0a ? '.\r\n' : '\r\n.\r\n', 'latin1');
      this.socket.uncork();
      return this.readReply('DATA content');
    }
    const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
    const stuffed = text.replace(/(^|\r\n)\./g, '$1..');
    const body = stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`;
    this.socket.write(`${body}.\r\n`, 'latin1');
    return this.readReply('DATA content');
  }

  /**
   * Upgrades the connection after a 220 to STARTTLS. Bytes received before the handshake are
   * discarded (RFC 3207 §4.2; the CVE-2011-0411 class of response injection), unless `trailing` is `keep`: then they
   * are read as the first replies inside TLS, as vulnerable clients did (`starttlsTrailingData: keep`), and each such
   * reply is recorded in {@link preTlsReplies}.
   * Never rejects the peer's certificate during the handshake: verification is recorded and the
   * caller's policy decides (so an opportunistic client can still encrypt).
   * @throws MailhopError `ETLS` on handshake failure, `ETIMEOUT` after handshakeTimeoutMs (else timeoutMs), in real
   *   time or, once the connection's waits moved to the virtual clock, in virtual time.
   */
  async startTls(trailing: 'discard' | 'keep' = 'discard'): Promise<TlsSummary> {
    const kept = trailing === 'keep' ? this.replies.buffered : 0;
    if (kept > 0) {
      this.replies.keepAsPreTls();
      this.transcript.push({ dir: '*', text: `${kept} octets received before the handshake kept, to be read as replies inside TLS (starttlsTrailingData: keep)` });
    } else this.replies.discard();
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const sessions = this.opts.tlsSessions;
    const offered = sessions?.offer();
    const secureSocket = tls.connect({
      socket: plain,
      servername: this.opts.servername,
      rejectUnauthorized: false,
      ...(offered ? { session: offered.session } : {}),
      ...(this.opts.secureContext
        ? { secureContext: this.opts.secureContext }
        : {
            ca: this.opts.ca,
            minVersion: this.opts.minVersion,
            maxVersion: this.opts.maxVersion,
            ...(this.opts.ciphers ? { ciphers: this.opts.ciphers } : {}),
          }),
    });
    this.transcript.push({ dir: '*', text: offered ? 'TLS handshake, offering the session kept for this next hop' : 'TLS handshake' });
    const keep = sessions ? keepIssuedSessions(secureSocket, sessions) : undefined;
    const limit = this.opts.handshakeTimeoutMs ?? this.opts.timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const clearTimer = this.waits.start(limit, () => {
        secureSocket.destroy();
        reject(new MailhopError('ETIMEOUT', `TLS handshake timed out after ${waited(limit, this.waits)}`, { command: 'STARTTLS' }));
      });
      secureSocket.once('secureConnect', () => {
        clearTimer();
        resolve();
      });
      secureSocket.once('error', (err: NodeJS.ErrnoException & { reason?: string }) => {
        clearTimer();
        // OpenSSL's `reason` ("tlsv1 alert protocol version") reads better than its full error stack.
        const why = err.reason ? `${err.code ?? 'error'} (${err.reason})` : `${err.code ? `${err.code}: ` : ''}${err.message}`;
        reject(new MailhopError('ETLS', `TLS handshake failed: ${why}`, { command: 'STARTTLS' }, { cause: err }));
      });
      secureSocket.once('close', () => {
        clearTimer();
        reject(new MailhopError('ETLS', 'TLS handshake failed: connection closed during the handshake', { command: 'STARTTLS' }));
      });
    }).catch((err) => {
      this.transcript.push({ dir: '*', text: err.message });
      this.replies.end(err);
      throw err;
    });
    secureSocket.removeAllListeners('error');
    secureSocket.removeAllListeners('close');
    this.socket = secureSocket;
    this.tlsActive = true;
    this.attach(secureSocket);
    const summary = summarizeTls(secureSocket, offered);
    keep?.({ verified: summary.verified, ...(summary.verifyError ? { verifyError: summary.verifyError } : {}) });
    const certificate = `certificate ${summary.verified ? 'valid' : `not valid (${summary.verifyError})`}`;
    this.transcript.push({
      dir: '*',
      // "valid", not "verified": whether the policy enforced it is the verdict's business (tls vs tls-verified).
      text: `TLS established: ${summary.version} ${summary.cipher}, ${summary.resumed ? `session resumed, ${certificate} when the session was established` : certificate}`,
    });
    return summary;
  }

  /** Sends QUIT and closes, ignoring errors (the session's outcome is already decided). */
  async quit(): Promise<void> {
    if (!this.replies.ended) {
      try {
        this.write('QUIT');
        await this.readReply('QUIT');
      } catch {
        // a peer that drops the connection on QUIT changes nothing
      }
    }
    this.destroy();
  }

  /** Closes the connection at once. */
  destroy(): void {
    this.socket.destroy();
    this.waits.close();
  }
}

/**
 * Whether content needs neither line ends nor dots changed to go as DATA (sendData): every LF comes after a CR,
 * no line starts with `.`, and it is not empty and does not end with a bare CR (those get a CRLF added, as
 * the slow path does). Scans with indexOf, without copying the bytes.
 */
function sendsAsIs(raw: Buffer): boolean {
  if (raw.length === 0 || raw[0] === 0x2e || raw.at(-1) === 0x0d) return false;
  for (let lf = raw.indexOf(0x0a); lf !== -1; lf = raw.indexOf(0x0a, lf + 1)) {
    if (lf === 0 || raw[lf - 1] !== 0x0d || raw[lf + 1] === 0x2e) return false;
  }
  return true;
}

/** What a reply is read for, in errors and the transcript: MAIL and RCPT with their address, other commands by verb. */
export function replyLabel(line: string): string {
  const verb = line.split(' ')[0];
  return verb === 'MAIL' || line.startsWith('RCPT') ? line : verb;
}
