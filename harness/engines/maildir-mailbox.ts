/**
 * The Maildir a real engine delivers into when it is the chain's final mailbox. Read when the engine
 * logs a local delivery: each new file becomes a mailbox message (by its X-Mailhop-Id header).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface MaildirMessage {
  id: string;
  from: string;
  to: string[];
  raw: Buffer;
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0];
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m?.[1].trim();
}

export class MaildirMailbox {
  private readonly seen = new Set<string>();

  constructor(readonly dir: string) {}

  /** Files that appeared in `new/` since the last call, parsed (files without X-Mailhop-Id are skipped). */
  takeNew(): MaildirMessage[] {
    let names: string[];
    try {
      names = readdirSync(path.join(this.dir, 'new')).sort();
    } catch {
      return [];
    }
    const found: MaildirMessage[] = [];
    for (const name of names) {
      if (this.seen.has(name)) continue;
      this.seen.add(name);
      const raw = readFileSync(path.join(this.dir, 'new', name));
      const text = raw.toString('latin1');
      const id = header(text, 'X-Mailhop-Id');
      if (!id) continue;
      const from = header(text, 'Return-Path')?.replace(/^<|>$/g, '') ?? '';
      const to = (header(text, 'Delivered-To') ?? header(text, 'Envelope-to') ?? '').split(/,\s*/).filter(Boolean);
      found.push({ id, from, to, raw });
    }
    return found;
  }
}
