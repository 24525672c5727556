/**
 * Walking a parsed YAML document for the scenario loader: aliases, repeated keys, and the node at a
 * key path (to give a zod issue its file:line:column).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode } from 'yaml';
import type { Segment } from './zod-issue-message.js';

/** At most this many repeated keys are collected (the loader shows 50 problems per file). */
const MAX_DUPLICATES = 50;

/** The first alias (in document order) that `match`es; `index` counts aliases from 0. */
export function findAlias(doc: Document, match: (alias: Alias, index: number) => boolean): Alias | undefined {
  let found: Alias | undefined;
  let index = 0;
  visit(doc, {
    Alias(_key, node) {
      if (!match(node, index++)) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** Repeated keys of every mapping (at most MAX_DUPLICATES + 1): the key, where it is, and the mapping's path. */
export function duplicateKeys(doc: Document): { key: string; offset?: number; path: Segment[] }[] {
  const found: { key: string; offset?: number; path: Segment[] }[] = [];
  visit(doc, {
    Map(_key, map, ancestors) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = keyText(doc, pair.key);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const path: Segment[] = [];
        ancestors.forEach((node, i) => {
          if (isPair(node)) path.push(keyText(doc, node.key));
          else if (isSeq(node)) path.push(node.items.indexOf(ancestors[i + 1] ?? map));
        });
        found.push({ key, offset: (pair.key as YamlNode | null)?.range?.[0], path });
        if (found.length > MAX_DUPLICATES) return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** A mapping key as the JS object will have it: `1` and `"1"` are the same key, an alias is its anchor's key. */
export function keyText(doc: Document, key: unknown): string {
  const node = isAlias(key) ? key.resolve(doc) : key;
  return String(isScalar(node) ? node.value : node);
}

/** The YAML node at a path (through aliases), or the deepest existing ancestor when the path does not exist. */
export function nodeAt(doc: Document, path: Segment[]): { node: YamlNode; key?: YamlNode; found: boolean } {
  let node = doc.contents as YamlNode;
  let key: YamlNode | undefined;
  for (const seg of path) {
    const target = isAlias(node) ? (node.resolve(doc) as YamlNode | undefined) : node;
    let next: YamlNode | undefined;
    let nextKey: YamlNode | undefined;
    if (isMap(target)) {
      const pair = target.items.find((p) => keyText(doc, p.key) === String(seg));
      nextKey = pair?.key as YamlNode | undefined;
      next = (pair?.value as YamlNode | null | undefined) ?? nextKey;
    } else if (isSeq(target) && typeof seg === 'number') {
      next = target.items[seg] as YamlNode | undefined;
    }
    if (!next) return { node, key, found: false };
    node = next;
    key = nextKey;
  }
  return { node, key, found: true };
}

