/**
 * Runs a link's faults on one connection: splits both directions into SMTP units and TLS chunks,
 * asks each fault in order what to do with them, and writes the outcome. Only used when a link
 * has faults; see {@link LinkFault} for what faults can see and do.
 */
import type { LineVerdict, LinkFault, LinkFaultContext, LinkFaultIo, LinkFaultSession, TlsVerdict } from './link-fault.js';
import { SmtpSplitter, type SmtpToken } from './smtp-splitter.js';
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

const REPLY = /^(\d{3})([ -]|$)/;

/** The faults of one connection. Feed each direction in order; each call resolves when its chunk was handled. */
export class FaultPipeline {
  readonly #faults: ReadonlyArray<{ name: string; session: LinkFaultSession }>;
  readonly #sinks: FaultPipelineSinks;
  readonly #client = new SmtpSplitter({ tlsAtLineStart: true });
  readonly #server = new SmtpSplitter();
  /** Verbs the client awaits a final reply for, as the client sent them. */
  readonly #clientPending: string[] = [];
  /** Command lines the server received and has not answered yet (after any rewrite). */
  readonly #serverPending: string[] = [];
  #reply: { raw: Buffer[]; lines: string[] } = { raw: [], lines: [] };
  #longVerb?: string;
  #longReply?: number;
  #clientGreeted = false;
  #serverGreeted = false;
  #authResponse = false;
  #dataOpen = false;
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
    this.#client.push(chunk);
    for (let token = this.#client.next(); token && !this.#closed; token = this.#client.next()) await this.#clientToken(token);
  }

  /** @param receivedAt when the chunk came off the socket (ms since the epoch); faults hold from there. */
  async fromServer(chunk: Buffer, receivedAt = Date.now()): Promise<void> {
    this.#arrived.S = receivedAt;
    this.#server.push(chunk);
    for (let token = this.#server.next(); token && !this.#closed; token = this.#server.next()) await this.#serverToken(token);
  }

  async #clientToken(token: SmtpToken): Promise<void> {
    switch (token.kind) {
      case 'tls':
        // A ClientHello without a 220 (implicit TLS): the server's answer is TLS too.
        if (this.#server.mode !== 'tls') this.#server.startTls();
        return this.#tlsChunk('C', token.bytes);
      case 'content':
        this.#sinks.toServer(token.bytes);
        if (token.end && this.#dataOpen) {
          this.#dataOpen = false;
          this.#clientPending.push('(message)');
          this.#serverPending.push('(message)');
        }
        return;
      case 'long': // passes unexamined; only kept in step with the replies
        this.#sinks.toServer(token.bytes);
        if (token.first) this.#longVerb = verbOf(token.bytes.toString('latin1', 0, 64));
        if (token.end && this.#longVerb !== undefined) this.#sent(this.#longVerb, [this.#longVerb]);
        return;
      case 'line':
        return this.#command(token.text, token.raw);
    }
  }

  async #command(line: string, raw: Buffer): Promise<void> {
    const out = await this.#lineFaults('C', [[line]], true, (s, unit) => s.command?.(unit[0]));
    const forwarded = out.units.flat();
    this.#sinks.toServer(out.changed ? crlf(forwarded) : raw);
    this.#sent(verbOf(line), forwarded);
    const [verb, size] = line.split(/\s+/);
    if (verb.toUpperCase() === 'BDAT' && Number.isSafeInteger(Number(size))) this.#client.expectBdat(Number(size));
    if (out.answer.length > 0) this.#deliver(crlf(out.answer), out.answer);
    if (out.close) this.#close(out.close);
  }

  /** Bookkeeping for a command: what the client waits for, and what the server will answer. */
  #sent(verb: string, forwarded: string[]): void {
    if (this.#authResponse) {
      this.#authResponse = false; // a SASL response (RFC 4954 §4) is not a new command
      return;
    }
    this.#clientPending.push(verb);
    this.#serverPending.push(...forwarded);
  }

  async #serverToken(token: SmtpToken): Promise<void> {
    if (token.kind === 'tls') return this.#tlsChunk('S', token.bytes);
    if (token.kind === 'long') {
      this.#sinks.toClient(token.bytes);
      if (token.first) this.#longReply = REPLY.exec(token.bytes.toString('latin1', 0, 4))?.[2] === ' ' ? Number(token.bytes.toString('latin1', 0, 3)) : undefined;
      if (token.end && this.#longReply !== undefined) {
        this.#answered(this.#longReply);
        this.#clientReply(this.#longReply);
      }
      return;
    }
    if (token.kind !== 'line') return;
    const m = REPLY.exec(token.text);
    if (!m) return this.#sinks.toClient(token.raw); // not a reply line: passed on as is
    this.#reply.raw.push(token.raw);
    this.#reply.lines.push(token.text);
    if (m[2] === '-') return;
    const { raw, lines } = this.#reply;
    this.#reply = { raw: [], lines: [] };
    const answering = this.#answered(Number(m[1]));
    const out = await this.#lineFaults('S', [lines], false, (s, unit) => s.reply?.(unit, answering, { receivedAt: this.#arrived.S }));
    const forwarded = out.units.flat();
    this.#deliver(out.changed ? crlf(forwarded) : Buffer.concat(raw), forwarded);
    if (out.answer.length > 0) this.#sinks.toServer(crlf(out.answer));
    if (out.close) this.#close(out.close);
  }

  /** The server sent a final reply: returns the command it answers, as the server received it. */
  #answered(code: number): string | undefined {
    if (!this.#serverGreeted) {
      this.#serverGreeted = true;
      return undefined;
    }
    return code === 334 ? this.#serverPending[0] : this.#serverPending.shift();
  }

  /** Writes reply lines to the client and follows what they start (TLS after 220, content after 354). */
  #deliver(bytes: Buffer, lines: readonly string[]): void {
    if (bytes.length > 0) this.#sinks.toClient(bytes);
    for (const line of lines) {
      const m = REPLY.exec(line);
      if (m && m[2] !== '-') this.#clientReply(Number(m[1]));
    }
  }

  #clientReply(code: number): void {
    if (!this.#clientGreeted) {
      this.#clientGreeted = true;
      return;
    }
    if (code === 334) {
      this.#authResponse = true;
      return;
    }
    const verb = this.#clientPending.shift();
    if (verb === 'STARTTLS' && code === 220) {
      // RFC 3207 §4: from here on both directions carry the TLS handshake.
      this.#client.startTls();
      this.#server.startTls();
    } else if (verb === 'DATA' && code === 354) {
      this.#client.expectData();
      this.#dataOpen = true;
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

function verbOf(line: string): string {
  return line.trimStart().split(/\s/)[0].toUpperCase();
}

function crlf(lines: readonly string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');
}
