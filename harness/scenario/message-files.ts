/**
 * Files a scenario's messages name: `bodyFile` and attachment `path`s, relative to the scenario file (or to
 * the working directory for a scenario given as an object). Read at load time, so a loaded scenario is
 * complete and frozen, and a missing file is a located problem of the file, not a failure mid-run.
 */
import { readBounded } from './read-bounded.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Message, Scenario } from './schema.js';
import { MailhopError } from '../errors.js';

/**
 * Most bytes of body and attachments one message may carry before MIME encoding (5 MiB): base64 grows
 * them by a third, and the mock hops accept 10 MiB of DATA (hop-limits.ts).
 */
export const MAX_MESSAGE_FILE_BYTES = 5 * 1024 * 1024;

/** Most bytes all messages of one scenario may read from files together (50 MiB): a file is read once per message that names it. */
export const MAX_SCENARIO_FILE_BYTES = 50 * 1024 * 1024;


/** A file that could not be used, at a key path of the scenario (e.g. `['messages', 0, 'bodyFile']`). */
export interface MessageFileProblem {
  path: (string | number)[];
  message: string;
}

/** A message with its files read: `body` holds the body file's text, attachments carry `content` (base64). */
function resolveMessage(message: Message, baseDir: string, at: (string | number)[], problems: MessageFileProblem[], budget = { left: MAX_SCENARIO_FILE_BYTES }): Message {
  let total = Buffer.byteLength(message.body ?? '', 'utf8') + message.attachments.reduce((n, a) => n + Buffer.byteLength(a.content ?? '', a.encoding === 'base64' ? 'base64' : 'utf8'), 0);
  const read = (file: string, key: (string | number)[]): Buffer | undefined => {
    const full = path.resolve(baseDir, file);
    try {
      const info = statSync(full);
      if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
      const bytes = readBounded(full, Math.max(0, Math.min(MAX_MESSAGE_FILE_BYTES - total, budget.left)));
      total += bytes.length;
      budget.left -= bytes.length;
      if (total > MAX_MESSAGE_FILE_BYTES) {
        problems.push({ path: key, message: `${file} makes the message's body and attachments over ${MAX_MESSAGE_FILE_BYTES} bytes (5 MiB, the hops accept 10 MiB once MIME-encoded)` });
        return undefined;
      }
      if (budget.left < 0) {
        problems.push({ path: key, message: `${file} makes the scenario's messages read over ${MAX_SCENARIO_FILE_BYTES} bytes of files together (50 MiB)` });
        return undefined;
      }
      return bytes;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.push({ path: key, message: `cannot read ${file} (resolved to ${full}): ${e.code === 'ENOENT' ? 'no such file' : e.code === 'ENOTFILE' ? 'not a regular file' : (e.code ?? e.message)}` });
      return undefined;
    }
  };
  const body = message.bodyFile !== undefined ? read(message.bodyFile, [...at, 'bodyFile'])?.toString('utf8') : message.body;
  const attachments = message.attachments.map((a, i) => {
    if (a.path === undefined) return a;
    const bytes = read(a.path, [...at, 'attachments', i, 'path']);
    const { path: file, ...rest } = a;
    return { ...rest, filename: a.filename ?? path.basename(file), content: bytes?.toString('base64') ?? '', encoding: 'base64' as const };
  });
  return { ...message, ...(body !== undefined ? { body } : {}), attachments };
}

/**
 * The scenario with every message's files read, and the problems (unreadable, not a file, too big).
 * @param baseDir the folder relative paths start from: the scenario file's folder.
 */
export function resolveMessageFiles(scenario: Scenario, baseDir: string): { scenario: Scenario; problems: MessageFileProblem[] } {
  const problems: MessageFileProblem[] = [];
  const budget = { left: MAX_SCENARIO_FILE_BYTES };
  // After the first problem nothing more is read: one located error is enough, and reading on costs memory.
  const messages = scenario.messages.map((m, i) => (problems.length ? m : resolveMessage(m, baseDir, ['messages', i], problems, budget)));
  return { scenario: { ...scenario, messages }, problems };
}

/**
 * One message given to `StartedChain.send()`, its files read relative to the working directory.
 * @throws MailhopError `EUSAGE` naming the key and the file when one cannot be used.
 */
export function resolveSentMessage(message: Message): Message {
  const problems: MessageFileProblem[] = [];
  const resolved = resolveMessage(message, process.cwd(), [], problems);
  if (problems.length) {
    throw MailhopError.of('EUSAGE', { where: 'chain.send()', what: 'read the message\'s files', why: problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ') });
  }
  return resolved;
}
