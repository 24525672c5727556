/**
 * Temporary folders for tests that write files (scenarios, presets, reports), removed when the test (or, made outside
 * a test, the file) ends. Every leaked `mailhop-*` folder in /tmp is one more entry the next chain's orphan sweep
 * reads (harness/engines/run-folder.ts), so tests must not leave them behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/**
 * Makes `/tmp/mailhop-test-<label>-XXXXXX` and registers its removal: after the current test when called inside one
 * (vitest `onTestFinished`), else after the test file (`afterAll`).
 * @returns the folder's path
 */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mailhop-test-${label}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    // Not inside a running test (module or describe level): the file's end removes it.
    afterAll(remove);
  }
  return dir;
}
