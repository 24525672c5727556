/**
 * Reading one message's DATA content (RFC 5321 §4.1.1.4) as smtp-server streams it, within a hop's
 * limits, never holding more than `maxMessageBytes` of it. Once a limit is passed the rest is read and
 * discarded up to the end-of-data line, so the reply comes in its place and the session stays usable for
 * the next transaction (RFC 5321 §4.5.3.1.10 allows refusing an oversized message only after reading it).
 *
 * Which reply: a message over `maxMessageBytes` gets `552 5.3.4` (smtp-server's `rejectOversized`, RFC 3463
 * X.3.4 "message too big for system"). A header section over its limits gets `554 5.6.0`: 554 is the
 * permanent "transaction failed" reply to the end of data (RFC 5321 §4.3.2), and X.6.0 is "something about
 * the content caused it to be considered undeliverable" (RFC 3463 §3.7). 552 would be the natural code,
 * but smtp-server 3.21 derives the enhanced code of a refusal from the reply code alone and would send
 * `552 5.2.2`, X.2.2 being "mailbox full", a per-recipient quota a sender may wait out: wrong here.
 */
import type { Readable } from 'node:stream';
import type { HopLimits } from './hop-limits.js';

/** A refusal for smtp-server's onData callback: its reply code and text. */
export type SmtpRefusal = Error & { responseCode: number };

/** What came of one DATA transaction: the content, or why it is refused. */
export type Intake = { content: Buffer } | { refusal: SmtpRefusal };

/** The limits {@link readMessage} applies. */
export type IntakeLimits = Pick<HopLimits, 'maxMessageBytes' | 'maxHeaderBytes' | 'maxHeaderFields'>;

/**
 * Bytes of message content a hop holds in memory for transactions still arriving (a message handed on is
 * no longer counted), and the most it held at once. The observable the memory bound is tested with.
 */
export class HeldBytes {
  #bytes = 0;
  #peak = 0;

  /** Content bytes held now, bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The most content bytes held at once since this was made, bytes. */
  get peak(): number {
    return this.#peak;
  }

  add(n: number): void {
    this.#bytes += n;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
  }

  release(n: number): void {
    this.#bytes -= n;
  }
}

/**
 * Reads a DATA stream to its end. Resolves with the content, or with the refusal for the first limit
 * passed (the content read after it is discarded, not kept). Never resolves when the stream is destroyed
 * before its end (the client left mid-message: there is nobody to answer); what it held is released then.
 */
export function readMessage(stream: Readable, limits: IntakeLimits, held: HeldBytes): Promise<Intake> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const header = new HeaderSection(limits);
    let kept = 0;
    let refusal: SmtpRefusal | undefined;
    let over = false;
    const release = () => {
      held.release(kept);
      kept = 0;
      chunks.length = 0;
    };
    const drop = (why: SmtpRefusal) => {
      refusal = why;
      release();
    };
    stream.on('data', (chunk: Buffer) => {
      if (refusal || over) return;
      const problem = header.push(chunk);
      if (problem) return drop(problem);
      if (kept + chunk.length > limits.maxMessageBytes) {
        return drop(refuse(552, `Error: message exceeds fixed maximum message size ${limits.maxMessageBytes}`));
      }
      chunks.push(chunk);
      kept += chunk.length;
      held.add(chunk.length);
    });
    stream.on('end', () => {
      over = true;
      const content = refusal ? undefined : Buffer.concat(chunks, kept);
      release();
      resolve(content ? { content } : { refusal: refusal as SmtpRefusal });
    });
    // smtp-server destroys the stream when the client leaves mid-message: nothing more comes.
    stream.on('close', () => {
      over = true;
      release();
    });
    stream.on('error', () => {}); // the close that follows releases the bytes
  });
}

function refuse(responseCode: number, message: string): SmtpRefusal {
  return Object.assign(new Error(message), { responseCode });
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

/**
 * Counts the header section as it streams by: its bytes up to the first empty line (CRLF or bare LF
 * ends a line, as mailhop's header readers split it) and its fields (lines not starting with SP or HT,
 * RFC 5322 §2.2.3 folding). Stops looking once the section has ended.
 */
class HeaderSection {
  readonly #limits: IntakeLimits;
  #done = false;
  #bytes = 0;
  #fields = 0;
  #lineStart = true;
  /** The line so far is a lone CR (an empty line if LF follows). */
  #onlyCr = false;

  constructor(limits: IntakeLimits) {
    this.#limits = limits;
  }

  /** Feeds content bytes; returns the refusal when a header limit is passed. */
  push(chunk: Buffer): SmtpRefusal | undefined {
    for (let i = 0; i < chunk.length && !this.#done; i++) {
      const byte = chunk[i];
      this.#bytes++;
      if (this.#lineStart) {
        this.#lineStart = false;
        if (byte === LF) this.#done = true;
        else if (byte === CR) this.#onlyCr = true;
        else if (byte !== SP && byte !== HT) this.#fields++;
      } else if (byte === LF) {
        if (this.#onlyCr) this.#done = true;
        this.#lineStart = true;
        this.#onlyCr = false;
      } else if (this.#onlyCr) {
        this.#onlyCr = false;
        this.#fields++; // a line of a CR and more: not empty (only CRLF or LF ends the section), so a field
      }
      if (this.#bytes > this.#limits.maxHeaderBytes) {
        return refuse(554, `Error: message header section exceeds ${this.#limits.maxHeaderBytes} bytes`);
      }
      if (this.#fields > this.#limits.maxHeaderFields) {
        return refuse(554, `Error: message has more than ${this.#limits.maxHeaderFields} header fields`);
      }
    }
    return undefined;
  }
}
