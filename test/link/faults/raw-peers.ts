/**
 * Byte-exact fixtures for link faults: a raw client and a raw server on either side of a link
 * proxy, each keeping every byte (and every chunk) it received, so a test can assert exactly
 * what each end saw. Waiting is on bytes and events, never on time.
 */
import net from 'node:net';
import type { LinkFault } from '../../../harness/link/link-fault.js';
import type { CarriedDelivery, FaultEnv } from '../../../harness/link/faults/index.js';
import { LOOPBACK, startLink, startRawServer, type TestLink } from '../../support/link.js';

/** One end of a connection: what it received, and ways to wait for more. */
export class RawPeer {
  readonly socket: net.Socket;
  readonly chunks: Buffer[] = [];
  readonly closed: Promise<{ error?: NodeJS.ErrnoException }>;
  #waiters: Array<() => void> = [];

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    let error: NodeJS.ErrnoException | undefined;
    socket.on('error', (e) => (error = e));
    this.closed = new Promise((resolve) => socket.once('close', () => {
      for (const wake of this.#waiters.splice(0)) wake();
      resolve({ error });
    }));
  }

  /** Everything received so far, as latin1 text. */
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Resolves once the received text ends with `suffix` (rejects if the socket closes first). */
  until(suffix: string): Promise<void> {
    return this.untilMatch((text) => text.endsWith(suffix), JSON.stringify(suffix));
  }

  /** Resolves once `test` holds for the received text (rejects if the socket closes first). */
  async untilMatch(test: RegExp | ((text: string) => boolean), what = String(test)): Promise<void> {
    const holds = () => (typeof test === 'function' ? test(this.text) : test.test(this.text));
    while (!holds()) {
      if (this.socket.closed) throw new Error(`closed before ${what}; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

/** A link proxy with faults between a raw client and a raw server. */
export interface RawPair extends AsyncDisposable {
  link: TestLink;
  /** Connects a new client; resolves with both ends of that connection. */
  connect(): Promise<{ client: RawPeer; server: RawPeer }>;
}

/** Starts a raw server and a link proxy in front of it carrying `faults`. */
export async function rawPair(faults: readonly LinkFault[]): Promise<RawPair> {
  const accepted: Array<(peer: RawPeer) => void> = [];
  const early: RawPeer[] = [];
  const server = await startRawServer((socket) => {
    const peer = new RawPeer(socket);
    const waiter = accepted.shift();
    if (waiter) waiter(peer);
    else early.push(peer);
  });
  const link = await startLink(server.port, faults);
  return {
    link,
    async connect() {
      const serverSide = early.length ? Promise.resolve(early.shift()!) : new Promise<RawPeer>((resolve) => accepted.push(resolve));
      const socket = net.connect({ host: LOOPBACK, port: link.port });
      await new Promise((resolve) => socket.once('connect', resolve));
      return { client: new RawPeer(socket), server: await serverSide };
    },
    async [Symbol.asyncDispose]() {
      await link[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
    },
  };
}

/** A fault environment for tests: deliveries by client port, as a chain's senders would announce them. */
export function testEnv(deliveries = new Map<number, CarriedDelivery>()): FaultEnv & { deliveries: Map<number, CarriedDelivery> } {
  return {
    deliveries,
    deliveryOf: (port) => deliveries.get(port),
    servername: 'localhost',
    attackerCert: () => Promise.reject(new Error('no attacker certificate in this test')),
  };
}

/** The greeting, the client's EHLO and an EHLO reply listing `keywords`, exchanged through the link. */
export async function greetAndEhlo(client: RawPeer, server: RawPeer, keywords: string[]): Promise<void> {
  server.write('220 mx.test ESMTP\r\n');
  await client.until('220 mx.test ESMTP\r\n');
  client.write('EHLO client.test\r\n');
  await server.until('EHLO client.test\r\n');
  const lines = ['mx.test', ...keywords].map((k, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${k}\r\n`);
  server.write(lines.join(''));
}

/** The first flight of a real TLS client (a ClientHello record), captured from an in-memory stream. */
export async function clientHello(): Promise<Buffer> {
  const { Duplex } = await import('node:stream');
  const tls = await import('node:tls');
  return new Promise((resolve) => {
    const transport = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        resolve(Buffer.from(chunk));
        callback();
        setImmediate(() => socket.destroy());
      },
    });
    const socket = tls.connect({ socket: transport, servername: 'mx.test', rejectUnauthorized: false });
    socket.on('error', () => {});
  });
}

/** Greeting and EHLO through the link, the reply offering STARTTLS and reaching the client unchanged. */
export async function ehloOfferingStarttls(client: RawPeer, server: RawPeer): Promise<void> {
  await greetAndEhlo(client, server, ['STARTTLS']);
  await client.until('250 STARTTLS\r\n');
}

/** Exchanges greeting, EHLO (advertising STARTTLS), STARTTLS and its 220 through the link. */
export async function upToStarttls220(client: RawPeer, server: RawPeer): Promise<void> {
  await ehloOfferingStarttls(client, server);
  client.write('STARTTLS\r\n');
  await server.until('STARTTLS\r\n');
  server.write('220 2.0.0 Ready to start TLS\r\n');
  await client.until('220 2.0.0 Ready to start TLS\r\n');
}
