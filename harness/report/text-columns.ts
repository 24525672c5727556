/**
 * Columns for terminal tables: cells padded to the widest in their column, measured in terminal columns
 * (string-width: ⛔ and 🔒 take two, whatever their length in UTF-16).
 */
import stringWidth from 'string-width';

/** Pads to `width` terminal columns. */
export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** The width of each column: the widest of its header and cells. */
export function columnWidths(header: readonly string[], rows: ReadonlyArray<readonly string[]>): number[] {
  return header.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ''))));
}
