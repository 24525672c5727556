/**
 * A status line kept at the bottom of a terminal while `mailhop run` prints reports above it
 * (`\r` and "erase line", ECMA-48 EL). Only used when stdout is a TTY; elsewhere output stays plain lines.
 */
import { renderProgress, type Progress } from '../report/progress-line.js';

/** The writable side of a terminal (process.stdout, or a fake in tests). */
export interface TerminalOut {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const ERASE = '\r\x1b[2K';

export class TerminalProgress {
  private line = '';

  constructor(private readonly out: TerminalOut) {}

  /** Redraws the status line. */
  update(progress: Progress): void {
    // A terminal that reports 0 columns (no size known) gets the usual 80.
    this.line = renderProgress(progress, this.out.columns || 80);
    this.out.write(`${ERASE}${this.line}`);
  }

  /** Prints text above the status line, then redraws it. */
  print(text: string): void {
    this.out.write(`${ERASE}${text}\n${this.line}`);
  }

  /** Removes the status line. */
  end(): void {
    this.out.write(ERASE);
    this.line = '';
  }
}
