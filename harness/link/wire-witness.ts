/**
 * The wire witness: follows one SMTP connection byte by byte, the plaintext dialogue (RFC 5321)
 * and then the TLS phase (RFC 3207 STARTTLS, or implicit TLS per RFC 8314), and produces a
 * {@link WireRecord}. It only records; verdicts are computed elsewhere from the record.
 */
import { BoundedTranscript } from './bounded-transcript.js';
import { MAX_MESSAGE_IDS, PlaintextMessage } from './plaintext-message.js';
import { SmtpSplitter, type SmtpToken } from './smtp-splitter.js';
import { TlsPhase } from './tls-phase.js';
import type { SmtpCommand, SmtpReply, WireError, WireFaultEvent, WireRecord } from './wire-record.js';

/** Commands are kept as verb and argument together cut at this many chars. */
const MAX_COMMAND = 200;
/** Lines in one multiline reply kept for parsing; more are still counted and transcribed. */
const MAX_REPLY_LINES = 100;
const REPLY = /^(\d{3})(?:([ -])(.*))?$/s;

/** Identity of the connection a witness watches. */
export interface WireWitnessOptions {
  /** The link's name, e.g. `gateway->mailbox`. */
  link: string;
  /** 1-based connection number on the link. */
  seq: number;
  /** The client's remote port as the proxy sees it. */
  clientPort: number;
  /** Clock in ms since the epoch; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Watches one connection. Feed it every chunk in the order it crossed the link; `record()` returns
 * a snapshot at any time. Memory stays bounded whatever arrives (a 1 MB line keeps 1 KiB).
 *
 * @example
 * const w = new WireWitness({ link: 'client->relay', seq: 1, clientPort: 40000 });
 * w.fromServer(Buffer.from('220 relay ESMTP\r\n'));
 * w.record().greeting; // { code: 220, text: 'relay ESMTP' }
 */
export class WireWitness {
  readonly #now: () => number;
  readonly #client = new SmtpSplitter({ tlsAtLineStart: true });
  readonly #server = new SmtpSplitter();
  readonly #transcript = new BoundedTranscript();
  readonly #tlsPhase = new TlsPhase((dir, text) => this.#transcript.summary(dir, text));
  readonly #record: WireRecord;
  readonly #messageIds = new Set<string>();
  /** Commands awaiting a final reply, oldest first (RFC 2920 pipelining). */
  readonly #pending: string[] = [];
  #replyLines: string[] = [];
  #authResponse = false;
  #serverSpoke = false;
  #tls = false;
  /** The message whose content is crossing, if any. */
  #content?: PlaintextMessage;

  constructor(options: WireWitnessOptions) {
    this.#now = options.now ?? Date.now;
    this.#record = {
      id: `${options.link}#${options.seq}`,
      link: options.link,
      seq: options.seq,
      clientPort: options.clientPort,
      openedAt: this.#now(),
      ehlo: [],
      starttlsAdvertised: false,
      starttlsSent: false,
      implicitTls: false,
      handshake: 'none',
      commands: [],
      replies: [],
      plaintextData: false,
      plaintextMessageIds: [],
      plaintextDataBytes: 0,
      bytes: { fromClient: 0, fromServer: 0 },
      transcript: this.#transcript.entries,
      dropped: 0,
      faults: [],
    };
  }

  /** Bytes held for incomplete lines and TLS records; bounded by a few KiB plus 64 KiB of handshake. */
  get bufferedBytes(): number {
    return this.#client.bufferedBytes + this.#server.bufferedBytes + (this.#content?.bufferedBytes ?? 0) + this.#tlsPhase.bufferedBytes;
  }

  /** Bytes the client sent. */
  fromClient(chunk: Buffer): void {
    this.#record.bytes.fromClient += chunk.length;
    this.#client.push(chunk);
    for (let token = this.#client.next(); token; token = this.#client.next()) this.#clientToken(token);
  }

  /** Bytes the server sent. */
  fromServer(chunk: Buffer): void {
    this.#record.bytes.fromServer += chunk.length;
    if (chunk.length > 0) this.#serverSpoke = true;
    this.#server.push(chunk);
    for (let token = this.#server.next(); token; token = this.#server.next()) this.#serverToken(token);
  }

  /** A side closed or failed; the first call sets `closedAt`, `closedBy` and `closeError`. */
  closed(by: 'client' | 'server' | 'proxy', error?: WireError): void {
    if (this.#record.closedAt !== undefined) return;
    this.#record.closedAt = this.#now();
    this.#record.closedBy = by;
    if (error) this.#record.closeError = { code: error.code, message: error.message };
    this.#tlsPhase.closed(by, error);
  }

  /** The proxy reached the target from local port `port` (see `WireRecord.upstreamPort`). */
  upstreamConnected(port: number): void {
    this.#record.upstreamPort = port;
  }

  /** The proxy could not connect to the target. */
  upstreamFailed(error: WireError): void {
    this.#record.upstreamError = { code: error.code, message: error.message };
  }

  /** A fault acted on this connection. */
  faultActed(event: WireFaultEvent): void {
    this.#transcript.keep(this.#record.faults, event);
  }

  /** A snapshot: later bytes do not change it. */
  record(): WireRecord {
    const r = this.#record;
    const phase = this.#tlsPhase;
    return {
      ...r,
      ...(phase.tls && { tls: { ...phase.tls } }),
      ...(phase.alert && { alert: { ...phase.alert } }),
      ...(phase.failure && { handshakeFailure: phase.failure }),
      handshake: phase.handshake,
      ehlo: [...r.ehlo],
      commands: r.commands.map((c) => ({ ...c })),
      replies: [...r.replies],
      plaintextMessageIds: [...this.#messageIds],
      bytes: { ...r.bytes },
      transcript: r.transcript.map((e) => ({ ...e })),
      dropped: this.#transcript.dropped,
      faults: r.faults.map((f) => ({ ...f })),
    };
  }

  #clientToken(token: SmtpToken): void {
    if (token.kind === 'tls') {
      if (!this.#tls) {
        // The client opened TLS without a 220 to STARTTLS: before any greeting, that is implicit TLS.
        this.#record.implicitTls = !this.#serverSpoke;
        this.#startTls();
      }
      this.#tlsPhase.fromClient(token.bytes);
    } else if (token.kind === 'content') {
      this.#onContent(token.bytes, token.end);
    } else {
      const text = this.#transcript.line('C', token);
      if (text !== undefined) this.#onCommand(text);
    }
  }

  #serverToken(token: SmtpToken): void {
    if (token.kind === 'tls') return this.#tlsPhase.fromServer(token.bytes);
    if (token.kind === 'content') return; // the server direction never enters content mode
    const text = this.#transcript.line('S', token);
    if (text === undefined) return;
    this.#transcript.keep(this.#record.replies, text);
    const m = REPLY.exec(text);
    if (!m) return; // not a reply line: transcribed, otherwise ignored
    if (this.#replyLines.length < MAX_REPLY_LINES) this.#replyLines.push(m[3] ?? '');
    if (m[2] === '-') return;
    const lines = this.#replyLines;
    this.#replyLines = [];
    this.#onReply(Number(m[1]), lines);
  }

  #onCommand(line: string): void {
    if (this.#authResponse) {
      this.#authResponse = false; // a SASL response line, not a command (RFC 4954 §4)
      return;
    }
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase().slice(0, MAX_COMMAND);
    const arg = space < 0 ? '' : line.slice(space + 1, space + 1 + Math.max(0, MAX_COMMAND - verb.length - 1));
    this.#transcript.keep<SmtpCommand>(this.#record.commands, { verb, arg });
    this.#pending.push(verb);
    if (verb === 'STARTTLS') this.#record.starttlsSent = true;
    if (verb === 'BDAT') {
      // RFC 3030 §2: the chunk follows the command at once, without waiting for a reply.
      const [size, last] = arg.trim().split(/\s+/);
      const bytes = Number(size);
      if (Number.isSafeInteger(bytes)) {
        this.#startContent('bdat', last?.toUpperCase() === 'LAST');
        this.#client.expectBdat(bytes);
        if (bytes === 0) this.#onContent(Buffer.alloc(0), true);
      }
    }
  }

  #onReply(code: number, lines: string[]): void {
    const reply: SmtpReply = { code, text: lines.join('\n') };
    if (!this.#record.greeting) {
      // The first reply is the greeting even if a client spoke too early (RFC 5321 §4.3.1).
      this.#record.greeting = reply;
      return;
    }
    const verb = this.#pending.shift();
    if (code === 334) {
      // RFC 4954 §4: the AUTH exchange goes on; the next client line is a SASL response.
      if (verb !== undefined) this.#pending.unshift(verb);
      this.#authResponse = true;
    } else if (verb === 'EHLO' || verb === 'LHLO') {
      this.#record.ehlo = lines.slice(1);
      if (code === 250 && lines.slice(1).some((l) => l.split(' ')[0].toUpperCase() === 'STARTTLS')) {
        this.#record.starttlsAdvertised = true;
      }
    } else if (verb === 'STARTTLS') {
      this.#record.starttlsReply = reply;
      // RFC 3207 §4: after 220 the next bytes from the client are the TLS handshake.
      if (code === 220) this.#startTls();
    } else if (verb === 'DATA' && code === 354) {
      this.#startContent('data', true);
      this.#client.expectData();
    }
  }

  #startTls(): void {
    this.#tls = true;
    this.#client.startTls();
    this.#server.startTls();
  }

  #startContent(kind: 'data' | 'bdat', last: boolean): void {
    if (this.#content) this.#content.last = last;
    else this.#content = new PlaintextMessage(kind, last);
  }

  #onContent(bytes: Buffer, end: boolean): void {
    const message = this.#content;
    if (!message) return;
    this.#record.plaintextData ||= bytes.length > 0;
    this.#record.plaintextDataBytes += bytes.length;
    for (const id of message.push(bytes)) if (this.#messageIds.size < MAX_MESSAGE_IDS) this.#messageIds.add(id);
    if (!end || !message.last) return; // more bytes, or more BDAT chunks, of this message follow
    // The reply after end-of-data answers the message itself (RFC 5321 §4.1.1.4); a BDAT chunk
    // is answered as its command.
    if (message.kind === 'data') this.#pending.push('(message)');
    this.#content = undefined;
    this.#transcript.summary('C', message.summary());
  }
}
