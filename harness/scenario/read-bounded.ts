/**
 * Reading a file with a byte limit that does not trust its reported size (a /proc file says 0 and never ends, a FIFO
 * blocks): scenario message files and preset files both go through it.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads at most `limit + 1` bytes: a file's size as `stat` gives it is not to be trusted (a /proc file says 0
 * and has megabytes), so the read itself is bounded and a longer file is seen as too long.
 */
export function readBounded(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) break;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
