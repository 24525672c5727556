/**
 * A small SMTP client connection used by every relaying hop and by the injecting client.
 * mailhop writes its own instead of using nodemailer's because the relay policies need to act on
 * each step (STARTTLS not advertised, non-220 reply, handshake failure, certificate result) and the
 * report needs the exact transcript of every session.
 */
import net from 'node:net';
import tls from 'node:tls';
import { sessionExporter } from './tls-exporter.js';
import { MailhopError } from '../errors.js';
import type { TlsVersion } from '../scenario/schema.js';

/** One SMTP reply (RFC 5321 §4.2), possibly multiline. */
export interface SmtpReply {
  /** Three-digit reply code. */
  code: number;
  /** Enhanced status code (RFC 3463) from the last line, e.g. `4.7.0`, when present. */
  enhanced?: string;
  /** The text of each line without the code and separator. */
  lines: string[];
  /** The whole reply as it would be quoted in a log: `454 4.7.0 TLS not available`. */
  text: string;
}

/** One line of a session transcript: `C` for what the client sent, `S` for what it received. */
export interface TranscriptLine {
  dir: 'C' | 'S' | '*';
  text: string;
}

/** What a completed TLS handshake gave. */
export interface TlsSummary {
  version: string;
  cipher: string;
  /** The peer certificate chained to the run's CA and matched the expected hostname. */
  verified: boolean;
  /** Why verification failed (Node's code, e.g. `CERT_HAS_EXPIRED`), when it did. */
  verifyError?: string;
  /** eNULL suite: TLS framing without encryption (tls-behaviour.md A9). */
  nullCipher: boolean;
  /**
   * 16 bytes of keying material exported from the session, hex (RFC 5705; RFC 8446 §7.5), label
   * `EXPORTER-mailhop-link-binding` (tls-exporter.ts). Both ends of one TLS session compute the same value; a party
   * that terminates TLS in between (an interceptor) holds two sessions, so the sender's and the
   * receiver's values differ even when every certificate looks right.
   */
  exporter?: string;
}

/** Options of one client connection. */
export interface SmtpClientOptions {
  host: string;
  port: number;
  /** Name announced in EHLO. */
  ehloName: string;
  /** Real-time limit for each reply (and for the handshake, unless `handshakeTimeoutMs`), ms. */
  timeoutMs: number;
  /** Real-time limit for the TLS handshake after STARTTLS, ms (Postfix smtp_starttls_timeout); default `timeoutMs`. */
  handshakeTimeoutMs?: number;
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
  /** OpenSSL cipher string offered instead of Node's default (e.g. `ALL:eNULL:@SECLEVEL=0`); replaces the legacy `SECLEVEL=0` default. */
  ciphers?: string;
}

const MAX_LINE = 4096;

/**
 * One SMTP client session over a real socket, with STARTTLS (RFC 3207).
 * Every method throws {@link MailhopError}: `ESOCKET` (connection closed or failed),
 * `ETIMEOUT` (no reply within timeoutMs) or `ETLS` (handshake failed).
 */
export class SmtpClient {
  readonly transcript: TranscriptLine[] = [];
  /** Local TCP port of the connection (lets the report match the link proxy's record). */
  localPort = 0;
  /** Local address of the connection: with the port, what the link proxy sees as its client. */
  localAddress = '';
  private socket: net.Socket | tls.TLSSocket;
  private buffer = '';
  private pendingLines: string[] = [];
  private waiter: (() => void) | null = null;
  private closedError: MailhopError | null = null;
  private tlsActive = false;

  private constructor(
    private readonly opts: SmtpClientOptions,
    socket: net.Socket,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  /** Opens the TCP connection (no greeting read yet). */
  static connect(opts: SmtpClientOptions): Promise<SmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MailhopError('ETIMEOUT', `connect to ${opts.host}:${opts.port} timed out after ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const client = new SmtpClient(opts, socket);
        client.localPort = socket.localPort ?? 0;
        client.localAddress = socket.localAddress ?? '';
        resolve(client);
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

  private attach(socket: net.Socket): void {
    // Reply text may be UTF-8 once SMTPUTF8 is in use (RFC 6531); ASCII reads the same either way.
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new MailhopError('ESOCKET', `connection error: ${err.message}`, {}, { cause: err })));
    socket.on('close', () => this.fail(new MailhopError('ESOCKET', 'connection closed by peer')));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let idx: number;
    while ((idx = this.buffer.indexOf('\n')) >= 0) {
      this.pendingLines.push(this.buffer.slice(0, idx).replace(/\r$/, ''));
      this.buffer = this.buffer.slice(idx + 1);
    }
    if (this.buffer.length > MAX_LINE) {
      this.pendingLines.push(this.buffer.slice(0, MAX_LINE));
      this.buffer = '';
    }
    this.wake();
  }

  private fail(err: MailhopError): void {
    if (!this.closedError) this.closedError = err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async nextLine(deadline: number, command: string): Promise<string> {
    for (;;) {
      const line = this.pendingLines.shift();
      if (line !== undefined) return line;
      if (this.closedError) {
        throw new MailhopError(this.closedError.code, `${this.closedError.message} (waiting for the reply to ${command})`, { command });
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new MailhopError('ETIMEOUT', `no reply to ${command} within ${this.opts.timeoutMs} ms`, { command });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * Reads one (possibly multiline) reply. Lines that are not `ddd-` / `ddd ` are a protocol
   * error (`ESMTP`).
   */
  async readReply(command = 'greeting'): Promise<SmtpReply> {
    const deadline = Date.now() + this.opts.timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const raw = await this.nextLine(deadline, command);
      this.transcript.push({ dir: 'S', text: raw });
      const m = /^(\d{3})([ -]?)(.*)$/.exec(raw);
      if (!m) throw new MailhopError('ESMTP', `malformed reply to ${command}: ${JSON.stringify(raw.slice(0, 80))}`, { command, reply: raw });
      lines.push(m[3]);
      if (m[2] !== '-') {
        const code = Number(m[1]);
        const enhanced = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(m[3])?.[1];
        return { code, enhanced, lines, text: `${m[1]} ${m[3]}`.trimEnd() };
      }
    }
  }

  /** Sends one command line (CRLF added) and reads its reply. */
  async command(line: string): Promise<SmtpReply> {
    this.write(line);
    return this.readReply(line.split(' ')[0] === 'MAIL' || line.startsWith('RCPT') ? line : line.split(' ')[0]);
  }

  /**
   * Writes a command line without reading (CRLF added), as UTF-8: the only encoding RFC 6531 §3.3 allows
   * for non-ASCII addresses (latin1 would send `é` as a lone 0xE9 byte and drop the high byte of `用`).
   * ASCII lines are the same bytes either way.
   */
  write(line: string): void {
    this.transcript.push({ dir: 'C', text: line });
    this.socket.write(`${line}\r\n`, 'utf8');
  }

  /**
   * Sends the message content after a 354 (RFC 5321 §4.5.2 dot-stuffing, CRLF line ends,
   * terminating `.`), then reads the final reply.
   */
  async sendData(raw: Buffer): Promise<SmtpReply> {
    const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
    const stuffed = text.replace(/^\./gm, '..');
    const body = stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`;
    this.transcript.push({ dir: 'C', text: `[message content, ${raw.length} bytes]` });
    this.transcript.push({ dir: 'C', text: '.' });
    this.socket.write(`${body}.\r\n`, 'latin1');
    return this.readReply('DATA content');
  }

  /**
   * Upgrades the connection after a 220 to STARTTLS. Bytes received before the handshake are
   * discarded (RFC 3207 §4.2; the CVE-2011-0411 class of response injection).
   * Never rejects the peer's certificate during the handshake: verification is recorded and the
   * caller's policy decides (so an opportunistic client can still encrypt).
   * @throws MailhopError `ETLS` on handshake failure, `ETIMEOUT` after handshakeTimeoutMs (else timeoutMs).
   */
  async startTls(): Promise<TlsSummary> {
    this.pendingLines = [];
    this.buffer = '';
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const legacy = this.opts.minVersion === 'TLSv1' || this.opts.minVersion === 'TLSv1.1';
    const secureSocket = tls.connect({
      socket: plain,
      servername: this.opts.servername,
      rejectUnauthorized: false,
      ...(this.opts.secureContext
        ? { secureContext: this.opts.secureContext }
        : {
            ca: this.opts.ca,
            minVersion: this.opts.minVersion,
            maxVersion: this.opts.maxVersion,
            ...(this.opts.ciphers ? { ciphers: this.opts.ciphers } : legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
          }),
    });
    this.transcript.push({ dir: '*', text: 'TLS handshake' });
    const limit = this.opts.handshakeTimeoutMs ?? this.opts.timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        secureSocket.destroy();
        reject(new MailhopError('ETIMEOUT', `TLS handshake timed out after ${limit} ms`, { command: 'STARTTLS' }));
      }, limit);
      secureSocket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve();
      });
      secureSocket.once('error', (err: NodeJS.ErrnoException & { reason?: string }) => {
        clearTimeout(timer);
        // OpenSSL's `reason` ("tlsv1 alert protocol version") reads better than its full error stack.
        const why = err.reason ? `${err.code ?? 'error'} (${err.reason})` : `${err.code ? `${err.code}: ` : ''}${err.message}`;
        reject(new MailhopError('ETLS', `TLS handshake failed: ${why}`, { command: 'STARTTLS' }, { cause: err }));
      });
      secureSocket.once('close', () => {
        clearTimeout(timer);
        reject(new MailhopError('ETLS', 'TLS handshake failed: connection closed during the handshake', { command: 'STARTTLS' }));
      });
    }).catch((err) => {
      this.transcript.push({ dir: '*', text: err.message });
      this.closedError = err;
      throw err;
    });
    secureSocket.removeAllListeners('error');
    secureSocket.removeAllListeners('close');
    this.socket = secureSocket;
    this.tlsActive = true;
    this.attach(secureSocket);
    const summary = summarizeTls(secureSocket);
    this.transcript.push({
      dir: '*',
      // "valid", not "verified": whether the policy enforced it is the verdict's business (tls vs tls-verified).
      text: `TLS established: ${summary.version} ${summary.cipher}, certificate ${summary.verified ? 'valid' : `not valid (${summary.verifyError})`}`,
    });
    return summary;
  }

  /** Sends QUIT and closes, ignoring errors (the session's outcome is already decided). */
  async quit(): Promise<void> {
    if (!this.closedError) {
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
  }
}

/**
 * Reads version, cipher and the certificate verdict from an established TLS socket. Node has
 * already checked the chain and the name (`tls.checkServerIdentity` against `servername`, RFC 6125)
 * when the handshake ended: a wrong name shows as `authorized: false` with
 * `ERR_TLS_CERT_ALTNAME_INVALID`, so the certificate is not parsed a second time here.
 */
function summarizeTls(socket: tls.TLSSocket): TlsSummary {
  const cipher = socket.getCipher();
  const verifyError = socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown');
  const exporter = sessionExporter(socket);
  return {
    ...(exporter ? { exporter } : {}),
    version: socket.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
    verified: !verifyError,
    verifyError,
    nullCipher: /NULL/i.test(cipher?.name ?? ''),
  };
}
