/**
 * The byte streams of the fuzzer: random ones from a seed (mulberry32) and the adversarial ones the
 * issue names (binary garbage, 1 MB lines, NUL bytes, bare LF, commands pipelined across STARTTLS, a
 * ClientHello before the greeting, half-closed sockets, a client that never reads).
 */
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
