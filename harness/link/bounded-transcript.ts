/**
 * The transcript of a wire record, with its caps: at most 200 lines of at most 1 KiB each, plus a
 * few `[...]` summaries that are kept even when the lines are full, so the TLS outcome is never lost.
 */
import { longLineText } from './smtp-splitter.js';
import type { TranscriptEntry, WireDirection } from './wire-record.js';

/** At most this many lines (and, in the record, commands, reply lines and fault events) are kept. */
export const MAX_LINES = 200;
/** Room for `[...]` summaries after MAX_LINES. */
const MAX_SUMMARIES = 20;
/** Each kept line is cut to 1 KiB. */
export const MAX_LINE_TEXT = 1024;

/** A line as the record keeps it: cut to {@link MAX_LINE_TEXT} characters, with `…` where it was cut. */
export function cutLine(text: string): string {
  return text.length > MAX_LINE_TEXT ? `${text.slice(0, MAX_LINE_TEXT)}…` : text;
}

export class BoundedTranscript {
  readonly entries: TranscriptEntry[] = [];
  /** Entries (and items passed to `keep`) not kept because a cap was reached. */
  dropped = 0;
  #summaries = 0;
  /** A line longer than the splitter's limit, per direction, while its pieces arrive. */
  readonly #long: Record<WireDirection, { entry?: TranscriptEntry; text: string; bytes: number } | undefined> = { C: undefined, S: undefined };

  /** Transcribes a complete line; returns its text as kept (see {@link cutLine}). */
  line(dir: WireDirection, text: string): string {
    const kept = cutLine(text);
    this.#add(dir, kept);
    return kept;
  }

  /**
   * Transcribes a piece of a line over the splitter's limit: one entry for the whole line, which ends
   * in `… [<size> bytes]` once the last piece came. Returns the line's text (see `longLineText`) on
   * the last piece, else `undefined`.
   */
  longPiece(dir: WireDirection, piece: { bytes: Buffer; first: boolean; end: boolean }): string | undefined {
    let long = this.#long[dir];
    if (piece.first || !long) {
      const text = longLineText(piece.bytes);
      long = { text, bytes: 0, entry: this.#add(dir, text) };
      this.#long[dir] = long;
    }
    long.bytes += piece.bytes.length;
    if (!piece.end) return undefined;
    this.#long[dir] = undefined;
    if (long.entry) long.entry.text = `${long.text} [${long.bytes} bytes]`;
    return long.text;
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
