/**
 * One message whose content crosses a link in plaintext: DATA content after a 354
 * (RFC 5321 §4.1.1.4), or BDAT chunks up to the LAST one (RFC 3030). Looks for the
 * `X-Mailhop-Id:` stamp at every line start, so a bounce quoting the original message counts too.
 */
import { SmtpSplitter } from './smtp-splitter.js';

const MESSAGE_ID = /^X-Mailhop-Id:[ \t]*(\S+)/i;
/** At most this many ids are kept per message. */
export const MAX_MESSAGE_IDS = 100;

export class PlaintextMessage {
  /** `data` after a 354, `bdat` for BDAT chunks. */
  readonly kind: 'data' | 'bdat';
  /** For BDAT: the chunk being read is the LAST one. Always true for DATA. */
  last: boolean;
  /** Content bytes so far, as on the wire. */
  bytes = 0;
  /** `X-Mailhop-Id` values found, in order, without repeats. */
  readonly ids: string[] = [];
  readonly #lines = new SmtpSplitter({ maxLine: 1024 });

  constructor(kind: 'data' | 'bdat', last: boolean) {
    this.kind = kind;
    this.last = last;
  }

  /** Bytes held for an incomplete line (at most 1 KiB). */
  get bufferedBytes(): number {
    return this.#lines.bufferedBytes;
  }

  /** Feeds content bytes; returns the ids first seen in them. */
  push(bytes: Buffer): string[] {
    this.bytes += bytes.length;
    this.#lines.push(bytes);
    const found: string[] = [];
    for (let token = this.#lines.next(); token; token = this.#lines.next()) {
      const text = token.kind === 'line' ? token.text : token.kind === 'long' && token.first ? token.bytes.toString('utf8', 0, 1024) : undefined;
      const id = text === undefined ? undefined : MESSAGE_ID.exec(text)?.[1];
      if (id && !this.ids.includes(id) && this.ids.length < MAX_MESSAGE_IDS) {
        this.ids.push(id);
        found.push(id);
      }
    }
    return found;
  }

  /** The transcript line for the whole message, e.g. `[plaintext message: 512 bytes, X-Mailhop-Id: m1]`. */
  summary(): string {
    const ids = this.ids.length > 0 ? `, X-Mailhop-Id: ${this.ids.join(' ')}` : '';
    return `[plaintext message: ${this.bytes} bytes${ids}]`;
  }
}
