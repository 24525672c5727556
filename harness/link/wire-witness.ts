/**
 * The wire witness: follows one SMTP connection byte by byte, the plaintext dialogue (RFC 5321)
 * and then the TLS phase (RFC 3207 STARTTLS, or implicit TLS per RFC 8314), and produces a
 * {@link WireRecord}. It only records; verdicts are computed elsewhere from the record.
 */
import { BoundedTranscript, cutLine } from './bounded-transcript.js';
import { MAX_MESSAGE_IDS, PlaintextMessage } from './plaintext-message.js';
import type { ServerReply } from './reply-splitter.js';
import { SmtpDialogue, type ClientStep, type ServerStep } from './smtp-dialogue.js';
import { advertises, splitCommand } from './smtp-syntax.js';
import { TlsPhase } from './tls-phase.js';
import { SaslInClear, type CredentialsInClear } from './sasl-in-clear.js';
import type { SmtpCommand, SmtpReply, WireError, WireFaultEvent, WireRecord } from './wire-record.js';

/** Commands are kept as verb and argument together cut at this many chars. */
const MAX_COMMAND = 200;

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
  readonly #dialogue = new SmtpDialogue({ implicitTls: true });
  readonly #transcript = new BoundedTranscript();
  readonly #tlsPhase = new TlsPhase((dir, text) => this.#transcript.summary(dir, text));
  readonly #record: WireRecord;
  readonly #messageIds = new Set<string>();
  readonly #sasl = new SaslInClear();
  /** Credentials seen in clear (at most 20: a client that keeps trying shows nothing more after that). */
  readonly #credentials: CredentialsInClear[] = [];
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
    return this.#dialogue.bufferedBytes + (this.#content?.bufferedBytes ?? 0) + this.#tlsPhase.bufferedBytes;
  }

  /** Bytes the client sent. */
  fromClient(chunk: Buffer): void {
    this.#record.bytes.fromClient += chunk.length;
    // Once the handshake is decided, everything that follows is TLS the record has no more to say about.
    if (this.#tlsPhase.settled) return;
    this.#dialogue.pushClient(chunk);
    for (let step = this.#dialogue.nextClient(); step; step = this.#dialogue.nextClient()) this.#clientStep(step);
  }

  /** Bytes the server sent. */
  fromServer(chunk: Buffer): void {
    this.#record.bytes.fromServer += chunk.length;
    if (this.#tlsPhase.settled) return;
    this.#dialogue.pushServer(chunk);
    for (let step = this.#dialogue.nextServer(); step; step = this.#dialogue.nextServer()) this.#serverStep(step);
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
      ...(phase.resumptionOffered && { resumptionOffered: true as const }),
      ...(phase.resumed && { resumed: true as const }),
      handshake: phase.handshake,
      ehlo: [...r.ehlo],
      commands: r.commands.map((c) => ({ ...c })),
      replies: [...r.replies],
      plaintextMessageIds: [...this.#messageIds],
      ...(this.#credentials.length > 0 && { credentialsInClear: this.#credentials.map((c) => ({ ...c })) }),
      bytes: { ...r.bytes },
      transcript: r.transcript.map((e) => ({ ...e })),
      dropped: this.#transcript.dropped,
      faults: r.faults.map((f) => ({ ...f })),
    };
  }

  #clientStep(step: ClientStep): void {
    switch (step.kind) {
      case 'tls-start':
        // TLS without a 220 to STARTTLS: before any byte of the server's, that is implicit TLS.
        this.#record.implicitTls = step.how === 'implicit';
        return;
      case 'tls':
        return this.#tlsPhase.fromClient(step.bytes);
      case 'content':
        return this.#onContent(step);
      case 'long': {
        const text = this.#transcript.longPiece('C', step);
        if (text !== undefined && !step.sasl) this.#onCommand(text);
        return;
      }
      case 'sasl':
        // A SASL response (RFC 4954 §4): transcribed, not a command; in clear, it may carry the credentials.
        this.#credential(this.#sasl.response(step.text));
        return void this.#transcript.line('C', step.text);
      case 'command':
        return this.#onCommand(this.#transcript.line('C', step.text));
    }
  }

  #serverStep(step: ServerStep): void {
    switch (step.kind) {
      case 'tls':
        return this.#tlsPhase.fromServer(step.bytes);
      case 'tls-start':
        return;
      case 'line':
        return this.#transcript.keep(this.#record.replies, this.#transcript.line('S', step.text));
      case 'long': {
        const text = this.#transcript.longPiece('S', step);
        if (text !== undefined) this.#transcript.keep(this.#record.replies, text);
        return;
      }
      case 'greeting':
        // The first reply is the greeting even if a client spoke too early (RFC 5321 §4.3.1).
        this.#record.greeting = kept(step.reply).reply;
        return;
      case 'reply':
        return this.#onReply(step.reply, step.answering);
    }
  }

  #onCommand(line: string): void {
    const { verb: fullVerb, arg: fullArg } = splitCommand(line);
    const verb = fullVerb.slice(0, MAX_COMMAND);
    const arg = fullArg.slice(0, Math.max(0, MAX_COMMAND - verb.length - 1));
    this.#transcript.keep<SmtpCommand>(this.#record.commands, { verb, arg });
    if (verb === 'STARTTLS') this.#record.starttlsSent = true;
    this.#credential(this.#sasl.command(verb.toUpperCase(), fullArg));
  }

  #credential(seen: CredentialsInClear | undefined): void {
    if (seen && this.#credentials.length < 20) this.#credentials.push(seen);
  }

  #onReply(reply: ServerReply, answering: string | undefined): void {
    if (reply.code === 334) return; // RFC 4954 §4: the AUTH exchange goes on
    const verb = answering === undefined ? undefined : splitCommand(answering).verb;
    const { reply: text, lines } = kept(reply);
    if (verb === 'EHLO' || verb === 'LHLO') {
      this.#record.ehlo = lines.slice(1);
      if (reply.code === 250 && advertises(reply.lines, 'STARTTLS')) this.#record.starttlsAdvertised = true;
    } else if (verb === 'STARTTLS') {
      this.#record.starttlsReply = text;
    }
  }

  #onContent(step: Extract<ClientStep, { kind: 'content' }>): void {
    const message = (this.#content ??= new PlaintextMessage(step.transfer, step.last));
    message.last = step.last;
    const bytes = step.bytes;
    this.#record.plaintextData ||= bytes.length > 0;
    this.#record.plaintextDataBytes += bytes.length;
    for (const id of message.push(bytes)) if (this.#messageIds.size < MAX_MESSAGE_IDS) this.#messageIds.add(id);
    if (!step.end || !message.last) return; // more bytes, or more BDAT chunks, of this message follow
    this.#content = undefined;
    this.#transcript.summary('C', message.summary());
  }
}

/** A reply as the record keeps it: each line cut as the transcript cuts it, and its text without the code. */
function kept(reply: ServerReply): { reply: SmtpReply; lines: string[] } {
  const lines = reply.lines.map((line) => cutLine(line).slice(4));
  return { reply: { code: reply.code, text: lines.join('\n') }, lines };
}
