/**
 * The project stands alone: no file of it, and no text it prints from its sources (`mailhop presets`),
 * points at notes outside the repository. Code, tests, scenarios, scripts and the README cite public
 * sources (RFC sections, product documentation, observed log lines) and the catalogue in docs/; a
 * citation of the catalogue names an anchor that exists. Judged over every file git knows (tracked,
 * plus new files not ignored), so a file added but not yet committed is checked too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { presetTable } from '../../harness/presets/describe-preset.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));

/** Names of notes that live outside the repository (the project's own pages on real MTAs are docs/engines.md). */
const OUTSIDE: ReadonlyArray<{ what: string; re: RegExp; exceptUnder?: string }> = [
  { what: 'a path to the shared notes', re: /(?:\.\.|\/work)\/shared\b/ },
  { what: 'the TLS behaviour notes', re: /tls-behaviou?r\.md/i },
  { what: 'the dependency notes', re: /dependencies\.md/i },
  { what: 'the research notes on real MTAs (cite docs/engines.md, or the product\'s documentation)', re: /real-mtas\.md/ },
  { what: 'a "reference §" citation (cite an anchor of docs/behaviour.md)', re: /\breference\s*§/i },
  { what: 'the code style notes', re: /\bSTYLE\.md\b/i },
];

/** Pages in docs/ whose anchors (`<a id="...">`) code may cite as `docs/<page>#<id>`. */
const CITED_PAGES = ['behaviour.md', 'engines.md'];

function gitFiles(): string[] | string {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    return [...new Set(out.split('\0').filter(Boolean))].sort();
  } catch (err) {
    return `git ls-files failed in ${ROOT}: ${(err as Error).message}`;
  }
}

/** Text of each listed file that exists and is not binary (no NUL byte). */
function textFiles(files: readonly string[]): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const file of files) {
    let buf: Buffer;
    try {
      buf = readFileSync(path.join(ROOT, file));
    } catch {
      continue; // listed but deleted in the work tree
    }
    if (!buf.includes(0)) out.push({ file, text: buf.toString('utf8') });
  }
  return out;
}

/** `file:line: text` of every line matching `re`. */
function hits(file: string, text: string, re: RegExp): string[] {
  return text.split('\n').flatMap((line, i) => (re.test(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 160)}`] : []));
}

function anchorsOf(text: string): Set<string> {
  return new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
}

const files = gitFiles();

describe.skipIf(typeof files === 'string')(`the repository's own files${typeof files === 'string' ? ` (skipped: ${files})` : ''}`, () => {
  const texts = textFiles(files as string[]);

  it('name no notes outside the project', () => {
    const found = texts
      .filter(({ file }) => file !== SELF)
      .flatMap(({ file, text }) => OUTSIDE.filter((o) => !(o.exceptUnder && file.startsWith(o.exceptUnder))).flatMap((o) => hits(file, text, o.re).map((h) => `${h}   <- ${o.what}`)));
    expect(found).toEqual([]);
  });

  it('cite only anchors that docs/behaviour.md and docs/engines.md define', () => {
    const anchors = new Map(CITED_PAGES.map((page) => [page, anchorsOf(texts.find((t) => t.file === `docs/${page}`)?.text ?? '')]));
    for (const [page, ids] of anchors) expect(ids.size, `docs/${page} defines anchors`).toBeGreaterThan(5);
    const dangling: string[] = [];
    for (const { file, text } of texts) {
      // Anywhere: `docs/<page>#id`. Within docs/, also Markdown links `](<page>#id)` and `](#id)` (same page).
      const cites = [/\bdocs\/(behaviour\.md|engines\.md)#([A-Za-z][\w-]*)/g, ...(file.startsWith('docs/') ? [/\]\(((?:behaviour|engines)\.md)?#([A-Za-z][\w-]*)\)/g] : [])];
      text.split('\n').forEach((line, i) => {
        for (const m of cites.flatMap((re) => [...line.matchAll(re)])) {
          const page = m[1] ?? path.basename(file);
          const ids = anchors.get(page);
          if (ids && !ids.has(m[2])) dangling.push(`${file}:${i + 1}: ${page}#${m[2]}`);
        }
      });
    }
    expect(dangling).toEqual([]);
  });
});

describe('what mailhop prints about its sources', () => {
  it('`mailhop presets` names no notes outside the project', () => {
    const table = presetTable();
    expect(table.length).toBeGreaterThan(500);
    expect(OUTSIDE.flatMap((o) => hits('mailhop presets', table, o.re).map((h) => `${h}   <- ${o.what}`))).toEqual([]);
  });
});
