/**
 * A fuzzer's hands and eyes for SMTP listeners: throws one stream (fuzz-streams.ts) at a listener on
 * a raw socket and judges what came back as SMTP replies (RFC 5321 §4.2: `ddd` then `-` or space,
 * CRLF); checks that a listener still serves a fresh session. A failure names the case.
 */
import net from 'node:net';
import type { FuzzCase } from '../support/fuzz-streams.js';

/** What a listener did with one case. */
export interface FuzzOutcome {
  case: string;
  /** Lines received, up to the first TLS switch (a 220 after the greeting). */
  lines: string[];
  /** Lines that are not SMTP replies, and a trailing partial line. */
  invalid: string[];
  /** How the connection ended: the listener closed it (FIN), a reset, or we ended it (never-read). */
  closed: 'fin' | 'reset' | 'ours';
}

/**
 * Lines of `bytes` that are not SMTP replies. Stops at the first 220 after the greeting (STARTTLS
 * accepted: TLS follows) and at a TLS record header where a line should start.
 */
export function judgeReplies(bytes: Buffer): { lines: string[]; invalid: string[] } {
  const text = bytes.toString('latin1');
  const lines: string[] = [];
  const invalid: string[] = [];
  let at = 0;
  for (;;) {
    const lf = text.indexOf('\n', at);
    if (lf < 0) {
      if (at < text.length && !/^[\x14-\x17]\x03/.test(text.slice(at, at + 2))) invalid.push(`partial line ${JSON.stringify(text.slice(at, at + 80))}`);
      break;
    }
    // An attacker on the link (intercept) answers a ClientHello with TLS: a record header
    // (content type 20..23, version 3.x) where a reply should start; TLS bytes follow.
    if (/^[\x14-\x17]\x03/.test(text.slice(at, at + 2))) break;
    const raw = text.slice(at, lf);
    at = lf + 1;
    if (!raw.endsWith('\r')) invalid.push(`line without CR ${JSON.stringify(raw.slice(0, 80))}`);
    const l = raw.replace(/\r$/, '');
    lines.push(l);
    if (!/^\d{3}[ -]/.test(l) && !/^\d{3}$/.test(l)) invalid.push(JSON.stringify(l.slice(0, 80)));
    if (lines.length > 1 && /^220[ -]/.test(l)) break; // a 220 to STARTTLS: TLS bytes follow (RFC 3207 §4)
  }
  return { lines, invalid };
}

/**
 * Throws one case at a listener and judges what came back. Resolves once the connection is over:
 * for `fin`, when the listener closed its side; for `never-read`, once `hold` resolves (the caller
 * runs other sessions meanwhile). Rejects if the listener goes `limitMs` without sending a byte,
 * closing or resetting: a hang, told apart from a slow but working listener on a loaded machine.
 */
export function throwCase(address: { host: string; port: number }, fuzzCase: FuzzCase, options: { limitMs?: number; hold?: Promise<unknown> } = {}): Promise<FuzzOutcome> {
  const limitMs = options.limitMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ ...address, allowHalfOpen: true });
    const received: Buffer[] = [];
    let closed: FuzzOutcome['closed'] = 'fin';
    let greeted = false;
    let writing = false;
    const hung = () => {
      socket.destroy();
      const got = Buffer.concat(received).toString('latin1');
      reject(new Error(`${fuzzCase.name}: the listener at ${address.host}:${address.port} went ${limitMs} ms without a byte, a close or a reset (received ${got.length} bytes, ending ${JSON.stringify(got.slice(-300))})`));
    };
    let timer = setTimeout(hung, limitMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') closed = 'reset';
      else closed = 'reset';
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ case: fuzzCase.name, ...judgeReplies(Buffer.concat(received)), closed });
    });
    const writeAll = async () => {
      if (writing) return;
      writing = true;
      if (fuzzCase.end === 'never-read') {
        // Handed to the socket all at once: the kernel buffers fill and the rest waits in ours.
        for (const chunk of fuzzCase.chunks) socket.write(chunk);
        await options.hold;
        closed = 'ours';
        socket.destroy();
        return;
      }
      for (const chunk of fuzzCase.chunks) {
        if (socket.destroyed || socket.writableEnded) return;
        await new Promise<void>((done) => socket.write(chunk, () => done()));
      }
      if (socket.destroyed) return;
      if (fuzzCase.end === 'fin') socket.end();
      else {
        closed = 'reset';
        socket.resetAndDestroy();
      }
    };
    if (fuzzCase.end === 'never-read') {
      socket.pause(); // never a 'data' listener: the listener's replies pile up against us
      socket.once('connect', () => void writeAll());
      return;
    }
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(hung, limitMs);
      if (!greeted) {
        greeted = true;
        void writeAll();
      }
    });
    socket.once('connect', () => {
      if (fuzzCase.early) void writeAll();
    });
    // A listener that never greets (a stalled front) still gets the bytes, after its silence is heard.
    socket.once('end', () => void writeAll());
  });
}

/**
 * A fresh, valid session: greeting, EHLO, NOOP, QUIT, each answered with the right code. Proves the
 * listener still serves after the abuse. Rejects with the dialogue so far.
 */
export function freshSession(address: { host: string; port: number }, limitMs = 10_000): Promise<string[]> {
  const script: Array<[string | null, number]> = [[null, 220], ['EHLO fresh.test', 250], ['NOOP', 250], ['QUIT', 221]];
  return new Promise((resolve, reject) => {
    const socket = net.connect(address);
    const dialogue: string[] = [];
    let buffer = '';
    let step = 0;
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`fresh session to ${address.host}:${address.port}: ${why}\n${dialogue.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${limitMs} ms`), limitMs);
    socket.setEncoding('latin1');
    socket.on('error', (err) => fail(err.message));
    socket.on('close', () => {
      clearTimeout(timer);
      if (step === script.length) resolve(dialogue);
      else fail('closed early');
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let lf: number;
      while ((lf = buffer.indexOf('\n')) >= 0) {
        const l = buffer.slice(0, lf).replace(/\r$/, '');
        buffer = buffer.slice(lf + 1);
        dialogue.push(`S: ${l}`);
        const m = /^(\d{3})([ -])/.exec(l);
        if (!m) return fail(`not a reply: ${l}`);
        if (m[2] === '-') continue;
        if (Number(m[1]) !== script[step][1]) return fail(`expected ${script[step][1]}`);
        step++;
        if (step === script.length) return void socket.end();
        const command = script[step][0] as string;
        dialogue.push(`C: ${command}`);
        socket.write(`${command}\r\n`);
      }
    });
  });
}

/** Runs `work` over `items`, `limit` at a time. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }),
  );
  return results;
}
