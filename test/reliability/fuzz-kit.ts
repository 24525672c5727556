/**
 * A seeded fuzzer for SMTP listeners: random and adversarial byte streams (binary garbage, 1 MB
 * lines, NUL bytes, bare LF, commands pipelined across STARTTLS, a ClientHello before the greeting,
 * half-closed sockets, a client that never reads), thrown at a listener on a raw socket, and what
 * came back judged as SMTP replies (RFC 5321 §4.2: `ddd` then `-` or space, CRLF).
 *
 * Deterministic: every case comes from a seed (mulberry32), and a failure names the case and seed.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How a case leaves the connection once its bytes are written. */
export type CaseEnd =
  /** Half-close (FIN) and read until the listener closes. */
  | 'fin'
  /** Reset at once, without waiting for anything. */
  | 'reset'
  /** Never read a byte (backpressure); destroyed by the caller after `hold` resolves. */
  | 'never-read';

/** One stream of bytes to throw at a listener. */
export interface FuzzCase {
  name: string;
  /** Written in order, each once the previous one was handed to the kernel. */
  chunks: Buffer[];
  end: CaseEnd;
  /** Write the first chunk before the greeting arrives (default: after it). */
  early?: boolean;
}

/** The first bytes of a real TLS ClientHello (Node's client, SNI `mx.mailhop.test`). */
export async function clientHello(): Promise<Buffer> {
  const written: Buffer[] = [];
  let resolveFirst: () => void;
  const first = new Promise<void>((resolve) => (resolveFirst = resolve));
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk);
      resolveFirst();
      callback();
    },
  });
  const socket = tls.connect({ socket: wire, servername: 'mx.mailhop.test', rejectUnauthorized: false });
  socket.on('error', () => {});
  await first;
  socket.destroy();
  return Buffer.concat(written);
}

const VERBS = ['EHLO fuzz.test', 'HELO fuzz.test', 'MAIL FROM:<a@org.test>', 'RCPT TO:<b@partner.test>', 'DATA', 'BDAT 10 LAST', 'STARTTLS', 'AUTH PLAIN AGZvbwBiYXI=', 'RSET', 'NOOP', 'VRFY b', 'HELP', 'QUIT', 'XCLIENT ADDR=1.2.3.4', '.', '..', ''];
const ENDINGS = ['\r\n', '\n', '\r', '', '\r\r\n', '\n\r'];

/** A random stream: a mix of SMTP verbs, binary garbage, NULs, odd line ends and long runs, cut in random chunks. */
export function randomCase(seed: number, hello: Buffer): FuzzCase {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const parts: Buffer[] = [];
  const pieces = 1 + int(30);
  for (let i = 0; i < pieces; i++) {
    const pick = rand();
    if (pick < 0.45) parts.push(Buffer.from(VERBS[int(VERBS.length)] + ENDINGS[int(ENDINGS.length)], 'latin1'));
    else if (pick < 0.7) parts.push(Buffer.from(Array.from({ length: int(300) }, () => int(256))));
    else if (pick < 0.8) parts.push(Buffer.alloc(int(64))); // NULs
    else if (pick < 0.88) parts.push(Buffer.alloc(1 + int(20_000), 'A'));
    else if (pick < 0.94) parts.push(hello.subarray(0, 1 + int(hello.length)));
    else parts.push(Buffer.from('Subject: x\r\n\r\nbody\r\n.\r\n', 'latin1'));
  }
  const bytes = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + int(Math.min(4096, bytes.length - at));
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  const ends: CaseEnd[] = ['fin', 'fin', 'fin', 'reset'];
  return { name: `random #${seed}`, chunks, end: ends[int(ends.length)], early: rand() < 0.2 };
}

const line = (...lines: string[]) => Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');

/** The adversarial streams the issue names, one each. */
export function adversarialCases(hello: Buffer): FuzzCase[] {
  const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 131 + 7) % 256));
  return [
    { name: 'binary garbage', chunks: [garbage], end: 'fin' },
    { name: '1 MB line', chunks: [Buffer.alloc(1024 * 1024, 'x'), Buffer.from('\r\n')], end: 'fin' },
    { name: '1 MB line without end', chunks: [Buffer.alloc(1024 * 1024, 'y')], end: 'fin' },
    { name: 'NUL bytes', chunks: [Buffer.from('EHLO \0\0fuzz\0\r\n\0\0\0\r\nMAIL FROM:<a\0@b.test>\r\n', 'latin1')], end: 'fin' },
    { name: 'bare LF', chunks: [Buffer.from('EHLO fuzz.test\nMAIL FROM:<a@org.test>\nRCPT TO:<b@partner.test>\nDATA\nSubject: x\n\nbody\n.\nQUIT\n', 'latin1')], end: 'fin' },
    { name: 'bare CR', chunks: [Buffer.from('EHLO fuzz.test\rNOOP\rQUIT\r', 'latin1')], end: 'fin' },
    {
      name: 'pipelined across STARTTLS',
      chunks: [line('EHLO fuzz.test', 'STARTTLS', 'EHLO evil.test', 'MAIL FROM:<a@org.test>', 'RCPT TO:<b@partner.test>', 'DATA')],
      end: 'fin',
    },
    { name: 'STARTTLS, then plaintext instead of a ClientHello', chunks: [line('EHLO fuzz.test', 'STARTTLS'), line('MAIL FROM:<a@org.test>')], end: 'fin' },
    { name: 'STARTTLS, then half a ClientHello', chunks: [line('EHLO fuzz.test', 'STARTTLS'), hello.subarray(0, 40)], end: 'fin' },
    { name: 'ClientHello before the greeting', chunks: [hello], end: 'fin', early: true },
    { name: 'message without X-Mailhop-Id', chunks: [line('EHLO fuzz.test', 'MAIL FROM:<a@org.test>', 'RCPT TO:<b@partner.test>', 'DATA'), line('Subject: x', '', 'no id', '.', 'QUIT')], end: 'fin' },
    { name: 'half-closed at once', chunks: [], end: 'fin' },
    { name: 'half-closed mid-DATA', chunks: [line('EHLO fuzz.test', 'MAIL FROM:<a@org.test>', 'RCPT TO:<b@partner.test>', 'DATA', 'Subject: x', '', 'cut off')], end: 'fin' },
    { name: 'reset mid-command', chunks: [Buffer.from('EHLO fuzz.test\r\nMAIL FROM:<a@org', 'latin1')], end: 'reset' },
    { name: '10,000 commands pipelined', chunks: [Buffer.from('NOOP\r\n'.repeat(10_000), 'latin1'), line('QUIT')], end: 'fin' },
    { name: 'never reads (backpressure)', chunks: Array.from({ length: 8 }, () => Buffer.from('EHLO fuzz.test\r\n'.repeat(4_000), 'latin1')), end: 'never-read' },
  ];
}

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
 * runs other sessions meanwhile). Rejects if the listener neither closes nor resets within `limitMs`.
 */
export function throwCase(address: { host: string; port: number }, fuzzCase: FuzzCase, options: { limitMs?: number; hold?: Promise<unknown> } = {}): Promise<FuzzOutcome> {
  const limitMs = options.limitMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ ...address, allowHalfOpen: true });
    const received: Buffer[] = [];
    let closed: FuzzOutcome['closed'] = 'fin';
    let greeted = false;
    let writing = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${fuzzCase.name}: the listener at ${address.host}:${address.port} neither closed nor reset within ${limitMs} ms (received ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 300))})`));
    }, limitMs);
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
