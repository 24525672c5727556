import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of mailhop's own package.json, found upwards from this module: the clone when run from
 * source, `node_modules/mailhop` when installed as a dependency. Undefined when none is found.
 */
export function packageRoot(): { dir: string; version: string } | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mailhop') return { dir, version: pkg.version ?? 'unknown' };
    } catch {
      // no package.json here: look further up
    }
  }
  return undefined;
}
