/**
 * Runs a link's faults on one connection: splits both directions into SMTP units and TLS chunks,
 * asks each fault in order what to do with them, and writes the outcome. Only used when a link
 * has faults; see {@link LinkFault} for what faults can see and do.
 *
 * Two accounts of the dialogue are kept, because faults make them differ. The client's
 * ({@link SmtpDialogue}: its own bytes, and every byte written to it) decides how the client's next
 * bytes read and when the connection turns to TLS. The server's (its replies, paired with the
 * command lines it was sent after any rewrite) tells a fault what each reply answers.
 */
import { CommandQueue } from './command-queue.js';
import type { LineVerdict, LinkFault, LinkFaultContext, LinkFaultIo, LinkFaultSession, TlsVerdict } from './link-fault.js';
import { ReplySplitter, type ReplyToken, type ServerReply } from './reply-splitter.js';
import { SmtpDialogue, type ClientStep } from './smtp-dialogue.js';
import { verbOf } from './smtp-syntax.js';
import { looksLikeClientHello } from './tls-hello.js';
import type { WireDirection, WireFaultEvent } from './wire-record.js';

/** Where a pipeline writes, and how it closes the connection. */
export interface FaultPipelineSinks {
  toServer(bytes: Buffer): void;
  toClient(bytes: Buffer): void;
  /** Close both sides, after what was written: `end` (FIN) or `reset` (RST). */
  close(how: 'end' | 'reset'): void;
  /** A fault returned a verdict (or threw). */
  acted(event: WireFaultEvent): void;
}

/** The faults of one connection. Feed each direction in order; each call resolves when its chunk was handled. */
export class FaultPipeline {
  readonly #faults: ReadonlyArray<{ name: string; session: LinkFaultSession }>;
  readonly #sinks: FaultPipelineSinks;
  /** The dialogue as the client has it. */
  readonly #dialogue = new SmtpDialogue({ implicitTls: true });
  /** What the server sends, as it sends it. */
  readonly #replies = new ReplySplitter({ relay: true });
  /** Command lines the server received and has not answered yet (after any rewrite). */
  readonly #serverPending = new CommandQueue();
  #tlsFirst: Record<WireDirection, boolean> = { C: true, S: true };
  #closed = false;
  /** When the chunk being handled arrived from each side (ms since the epoch). */
  #arrived: Record<WireDirection, number> = { C: 0, S: 0 };

  constructor(faults: readonly LinkFault[], context: Omit<LinkFaultContext, 'io'>, sinks: FaultPipelineSinks) {
    this.#sinks = sinks;
    this.#faults = faults.map((fault) => ({ name: fault.name, session: fault.open({ ...context, io: this.#io(fault.name) }) }));
  }

  /** A side sent FIN: lets every fault finish what it holds before the FIN is passed on. */
  async ended(side: 'client' | 'server'): Promise<void> {
    for (const { name, session } of this.#faults) {
      if (this.#closed) return;
      if (session.end) await this.#ask(name, side === 'client' ? 'C' : 'S', () => session.end?.(side));
    }
  }

  #io(fault: string): LinkFaultIo {
    return {
      toClient: (bytes) => this.#sinks.toClient(bytes),
      toServer: (bytes) => this.#sinks.toServer(bytes),
      close: (how) => {
        if (!this.#closed) this.#close(how);
      },
      record: (event) => this.#sinks.acted({ at: Date.now(), fault, ...event, ...(event.detail && { detail: event.detail.slice(0, 200) }), ...(event.note && { note: event.note.slice(0, 200) }) }),
    };
  }

  /** @param receivedAt when the chunk came off the socket (ms since the epoch); faults hold from there. */
  async fromClient(chunk: Buffer, receivedAt = Date.now()): Promise<void> {
    this.#arrived.C = receivedAt;
    this.#dialogue.pushClient(chunk);
    for (let step = this.#dialogue.nextClient(); step && !this.#closed; step = this.#dialogue.nextClient()) await this.#clientStep(step);
  }

  /** @param receivedAt when the chunk came off the socket (ms since the epoch); faults hold from there. */
  async fromServer(chunk: Buffer, receivedAt = Date.now()): Promise<void> {
    this.#arrived.S = receivedAt;
    this.#replies.push(chunk);
    for (let token = this.#replies.next(); token && !this.#closed; token = this.#replies.next()) {
      if (token.kind === 'reply') await this.#reply(token.reply);
      else if (token.kind === 'tls') await this.#tlsChunk('S', token.bytes);
      else this.#passLine(token);
    }
  }

  async #clientStep(step: ClientStep): Promise<void> {
    switch (step.kind) {
      case 'tls-start':
        // A ClientHello without a 220 (implicit TLS): the server's answer is TLS too.
        return this.#replies.startTls();
      case 'tls':
        return this.#tlsChunk('C', step.bytes);
      case 'content':
        this.#sinks.toServer(step.bytes);
        if (step.end && step.transfer === 'data') this.#serverPending.sent('(message)');
        return;
      case 'long': // passes unexamined; only kept in step with the replies
        this.#sinks.toServer(step.bytes);
        if (step.end && !step.sasl) this.#serverPending.sent(verbOf(step.text ?? ''));
        return;
      case 'sasl':
      case 'command':
        return this.#command(step);
    }
  }

  async #command(step: Extract<ClientStep, { kind: 'command' | 'sasl' }>): Promise<void> {
    const out = await this.#lineFaults('C', [[step.text]], true, (s, unit) => s.command?.(unit[0]));
    const forwarded = out.units.flat();
    this.#sinks.toServer(out.changed ? crlf(forwarded) : step.raw);
    // A SASL response (RFC 4954 §4) is no new command: the server still answers the AUTH.
    if (step.kind === 'command') for (const line of forwarded) this.#serverPending.sent(line);
    if (out.answer.length > 0) this.#toClient(crlf(out.answer));
    if (out.close) this.#close(out.close);
  }

  /** A line that is no reply, or a piece of one too long to hold: passed on as it is, and kept in step with the replies. */
  #passLine(token: Extract<ReplyToken, { kind: 'line' | 'long' }>): void {
    if (token.kind === 'long') {
      this.#toClient(token.bytes);
      if (token.reply?.last) this.#serverPending.answer(token.reply.code); // a last line answers a command by itself
    } else if (!token.reply) {
      this.#toClient(token.raw); // reply lines wait for the rest of their reply
    }
  }

  /** A whole reply from the server: offered to the faults with the command it answers, as the server received it. */
  async #reply(reply: ServerReply): Promise<void> {
    const { code, lines, raw = [] } = reply;
    const answered = this.#serverPending.answer(code);
    const answering = answered.greeting ? undefined : answered.command;
    const out = await this.#lineFaults('S', [lines], false, (s, unit) => s.reply?.(unit, answering, { receivedAt: this.#arrived.S }));
    const forwarded = out.units.flat();
    const bytes = out.changed ? crlf(forwarded) : Buffer.concat(raw);
    if (bytes.length > 0) this.#toClient(bytes);
    if (out.answer.length > 0) this.#sinks.toServer(crlf(out.answer));
    if (out.close) this.#close(out.close);
  }

  /** Writes plaintext to the client and follows it in the client's account (TLS after a 220 to STARTTLS). */
  #toClient(bytes: Buffer): void {
    this.#sinks.toClient(bytes);
    this.#dialogue.pushServer(bytes);
    for (let step = this.#dialogue.nextServer(); step; step = this.#dialogue.nextServer()) {
      // RFC 3207 §4: from here on both directions carry the TLS handshake.
      if (step.kind === 'tls-start') this.#replies.startTls();
    }
  }

  async #tlsChunk(dir: WireDirection, bytes: Buffer): Promise<void> {
    const info = { first: this.#tlsFirst[dir], clientHello: dir === 'C' && looksLikeClientHello(bytes), receivedAt: this.#arrived[dir] };
    this.#tlsFirst[dir] = false;
    let forward = bytes;
    const answer: Buffer[] = [];
    let close: TlsVerdict['close'];
    for (const { name, session } of this.#faults) {
      if (!session.tls || forward.length === 0) continue;
      const input = forward;
      const verdict = await this.#ask(name, dir, () => session.tls?.(dir, input, info));
      if (!verdict) continue;
      this.#acted(name, dir, verdict, `${input.length} TLS bytes`);
      forward = verdict.forward ?? forward;
      if (verdict.answer) answer.push(verdict.answer);
      close ??= verdict.close;
    }
    const [onward, back] = dir === 'C' ? [this.#sinks.toServer, this.#sinks.toClient] : [this.#sinks.toClient, this.#sinks.toServer];
    if (forward.length > 0) onward(forward);
    if (answer.length > 0) back(Buffer.concat(answer));
    if (close) this.#close(close);
  }

  /** Passes units (a command line each, or one whole reply) through every fault in order. */
  async #lineFaults(
    dir: WireDirection,
    units: string[][],
    oneLinePerUnit: boolean,
    ask: (session: LinkFaultSession, unit: string[]) => ReturnType<NonNullable<LinkFaultSession['command']>>,
  ): Promise<{ units: string[][]; changed: boolean; answer: string[]; close?: 'end' | 'reset' }> {
    let changed = false;
    let close: LineVerdict['close'];
    const answer: string[] = [];
    for (const { name, session } of this.#faults) {
      const next: string[][] = [];
      for (const unit of units) {
        const verdict = await this.#ask(name, dir, () => ask(session, unit));
        if (!verdict) {
          next.push(unit);
          continue;
        }
        this.#acted(name, dir, verdict, unit.join('\n'));
        if (verdict.forward) {
          changed = true;
          const lines = [...verdict.forward];
          if (oneLinePerUnit) next.push(...lines.map((l) => [l]));
          else if (lines.length > 0) next.push(lines);
        } else next.push(unit);
        answer.push(...(verdict.answer ?? []));
        close ??= verdict.close;
      }
      units = next;
    }
    return { units, changed, answer, close };
  }

  /** Calls a hook; a throwing fault is recorded, then the error goes on to the proxy (which resets). */
  async #ask<T>(name: string, dir: WireDirection, hook: () => T | Promise<T>): Promise<T> {
    try {
      return await hook();
    } catch (error) {
      this.#sinks.acted({ at: Date.now(), fault: name, dir, action: 'error', detail: String(error).slice(0, 200) });
      throw error;
    }
  }

  #acted(fault: string, dir: WireDirection, verdict: LineVerdict | TlsVerdict, detail: string): void {
    if (verdict.silent) return;
    const parts: string[] = [];
    if (verdict.forward) parts.push(verdict.forward.length === 0 ? 'drop' : 'replace');
    if (verdict.answer) parts.push('answer');
    if (verdict.close) parts.push(`close:${verdict.close}`);
    if (parts.length === 0) return;
    this.#sinks.acted({
      at: Date.now(), fault, dir, action: parts.join('+'), detail: detail.slice(0, 200),
      ...(verdict.note && { note: verdict.note.slice(0, 200) }),
      ...(verdict.effect && { effect: verdict.effect }),
    });
  }

  #close(how: 'end' | 'reset'): void {
    this.#closed = true;
    this.#sinks.close(how);
  }
}

function crlf(lines: readonly string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');
}
