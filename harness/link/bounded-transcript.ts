/**
 * The transcript of a wire record, with its caps: at most 200 lines of at most 1 KiB each, plus a
 * few `[...]` summaries that are kept even when the lines are full, so the TLS outcome is never lost.
 */
import type { SmtpToken } from './smtp-splitter.js';
import type { TranscriptEntry, WireDirection } from './wire-record.js';

/** At most this many lines (and, in the record, commands, reply lines and fault events) are kept. */
export const MAX_LINES = 200;
/** Room for `[...]` summaries after MAX_LINES. */
const MAX_SUMMARIES = 20;
/** Each kept line is cut to 1 KiB. */
export const MAX_LINE_TEXT = 1024;

type LineToken = Extract<SmtpToken, { kind: 'line' | 'long' }>;

export class BoundedTranscript {
  readonly entries: TranscriptEntry[] = [];
  /** Entries (and items passed to `keep`) not kept because a cap was reached. */
  dropped = 0;
  #summaries = 0;
  /** A line longer than the splitter's limit, per direction, while its pieces arrive. */
  readonly #long: Record<WireDirection, { entry?: TranscriptEntry; text: string; bytes: number } | undefined> = { C: undefined, S: undefined };

  /**
   * Transcribes a line token. Returns the line's text once it is complete: cut to 1 KiB with `…`;
   * a long line on its last piece, and its entry then ends in `… [<size> bytes]`.
   */
  line(dir: WireDirection, token: LineToken): string | undefined {
    if (token.kind === 'line') {
      const text = token.text.length > MAX_LINE_TEXT ? `${token.text.slice(0, MAX_LINE_TEXT)}…` : token.text;
      this.#add(dir, text);
      return text;
    }
    let long = this.#long[dir];
    if (token.first || !long) {
      const text = token.bytes.toString('utf8', 0, Math.min(token.bytes.length, MAX_LINE_TEXT)).replace(/\r?\n$/, '');
      long = { text, bytes: 0, entry: this.#add(dir, `${text}…`) };
      this.#long[dir] = long;
    }
    long.bytes += token.bytes.length;
    if (!token.end) return undefined;
    this.#long[dir] = undefined;
    if (long.entry) long.entry.text = `${long.text}… [${long.bytes} bytes]`;
    return `${long.text}…`;
  }

  /** Adds a `[...]` summary line. */
  summary(dir: WireDirection, text: string): void {
    if (this.#summaries >= MAX_SUMMARIES) return void this.dropped++;
    this.#summaries++;
    this.entries.push({ dir, text });
  }

  /** Appends to a capped list of the record, counting what does not fit. */
  keep<T>(list: T[], item: T): void {
    if (list.length < MAX_LINES) list.push(item);
    else this.dropped++;
  }

  #add(dir: WireDirection, text: string): TranscriptEntry | undefined {
    if (this.entries.length - this.#summaries >= MAX_LINES) {
      this.dropped++;
      return undefined;
    }
    const entry = { dir, text };
    this.entries.push(entry);
    return entry;
  }
}
