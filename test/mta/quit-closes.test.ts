import { describe, it, expect } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { startTestHop, HOSTNAME } from '../support/hop.js';

/**
 * A raw client that never closes first: it collects what the server sends, and reports the server's FIN
 * ('end' on its socket, or on the TLS socket after STARTTLS) together with whether this side had ended by then.
 */
class RawClient {
  text = '';
  socket: net.Socket;
  readonly #waits = new Set<() => void>();

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.#read(socket);
  }

  #read(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.on('error', () => {}); // a reset shows as a close without FIN, which serverEnd() reports
    socket.on('data', (chunk: string) => {
      this.text += chunk;
      for (const wait of this.#waits) wait();
    });
  }

  /** Resolves once what was read from character `from` on matches `pattern`. */
  until(pattern: RegExp, from = 0): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!pattern.test(this.text.slice(from))) return;
        this.#waits.delete(check);
        resolve();
      };
      this.#waits.add(check);
      check();
    });
  }

  /** Sends a command line and waits for its final reply with `code`. */
  cmd(line: string, code: number): Promise<void> {
    const from = this.text.length;
    this.socket.write(`${line}\r\n`);
    return this.until(new RegExp(`^${code} .*\\r\\n`, 'm'), from);
  }

  /** Switches to TLS over the same connection (after a 220 to STARTTLS, RFC 3207 §4.2). */
  async upgrade(): Promise<void> {
    const upgraded = tls.connect({ socket: this.socket, rejectUnauthorized: false, servername: HOSTNAME });
    await new Promise<void>((resolve, reject) => upgraded.once('secureConnect', resolve).once('error', reject));
    this.socket = upgraded;
    this.#read(upgraded);
  }

  /**
   * Resolves, once the server's FIN arrived, with whether this client had ended its side before (it never does
   * here); rejects if the connection closed without one (a reset).
   */
  serverEnd(): Promise<{ clientHadEnded: boolean }> {
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      socket.once('end', () => resolve({ clientHadEnded: socket.writableEnded || socket.destroyed }));
      socket.once('close', () => reject(new Error(`closed without a FIN from the server; read:\n${this.text}`)));
    });
  }
}

async function connect(address: { host: string; port: number }, implicitTls: boolean): Promise<RawClient> {
  const socket = implicitTls
    ? tls.connect({ ...address, rejectUnauthorized: false, servername: HOSTNAME })
    : net.connect(address.port, address.host);
  const client = new RawClient(socket);
  await client.until(/^220 .*\r\n/m);
  return client;
}

/** An inbound mode as a scenario writes it (the schema fills the rest). */
interface InboundInput { starttls: string; how?: string; starttlsReply?: string }
/** Every inbound STARTTLS mode (scenario/policies.ts), with the keys it needs. */
const MODES: InboundInput[] = [
  { starttls: 'offer' },
  { starttls: 'none' },
  { starttls: 'require' },
  { starttls: 'hidden' },
  { starttls: 'implicit' },
  { starttls: 'fake-454' },
  { starttls: 'fake-502' },
  { starttls: 'fake-reply', starttlsReply: '454 4.3.3 TLS temporarily down' },
  { starttls: 'break-handshake', how: 'close' },
  { starttls: 'break-handshake', how: 'stall' },
  { starttls: 'vulnerable-injection' },
];

// RFC 5321 §4.1.1.10: the receiver MUST send an OK reply to QUIT and then close the transmission channel.
// A client that waits for that close (Sendmail does) hung on every mode with a front before the hop.
describe('QUIT: 221, then the hop closes the connection', () => {
  it.each(MODES.map((m) => [m.starttls + (m.how ? `:${m.how}` : ''), m] as const))('%s: EHLO, QUIT, 221, then the server\'s FIN', async (_name, inbound) => {
    await using hop = await startTestHop(inbound);
    const client = await connect(hop.server.address, inbound.starttls === 'implicit');
    const closedByServer = client.serverEnd();
    await client.cmd('EHLO client.mailhop.test', 250);
    await client.cmd('QUIT', 221);
    expect(await closedByServer).toEqual({ clientHadEnded: false });
    expect(client.text).toMatch(/^221 2\.0\.0 Bye\r\n$/m);
  });

  it.each([
    ['offer', { starttls: 'offer' }],
    ['require', { starttls: 'require' }],
    ['hidden', { starttls: 'hidden' }],
    ['vulnerable-injection', { starttls: 'vulnerable-injection' }],
  ] as const)('%s: after STARTTLS, QUIT inside TLS gets 221 and then the server\'s FIN', async (_name, inbound) => {
    await using hop = await startTestHop(inbound);
    const client = await connect(hop.server.address, false);
    await client.cmd('EHLO client.mailhop.test', 250);
    await client.cmd('STARTTLS', 220);
    await client.upgrade();
    const closedByServer = client.serverEnd();
    await client.cmd('EHLO client.mailhop.test', 250);
    await client.cmd('QUIT', 221);
    expect(await closedByServer).toEqual({ clientHadEnded: false });
    expect(client.text).toMatch(/^221 2\.0\.0 Bye\r\n$/m);
  });
});
