/**
 * Lists harness files over 300 lines and functions over 80 lines (issue 11's bounds), longest first.
 *   npx tsx scripts/code-size.ts [folder]
 * Exits 1 when any is over.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;

/** Every .ts file under `dir`. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Files and functions over the bounds: `path:line name (n lines)`. */
export function oversized(dir: string): string[] {
  const found: Array<[number, string]> = [];
  for (const path of tsFiles(dir)) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').length;
    if (lines > MAX_FILE_LINES) found.push([lines, `${path} (file, ${lines} lines)`]);
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const n = end - start + 1;
        const name = (node as ts.FunctionLikeDeclaration).name?.getText(source) ?? '(anonymous)';
        if (n > MAX_FUNCTION_LINES) found.push([n, `${path}:${start + 1} ${name} (function, ${n} lines)`]);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b[0] - a[0]).map(([, s]) => s);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const list = oversized(process.argv[2] ?? 'harness');
  for (const line of list) console.log(line);
  process.exitCode = list.length > 0 ? 1 : 0;
}
