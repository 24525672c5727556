import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { Scenario } from '../../harness/scenario/schema.js';
import { startChain } from '../../harness/chain/chain.js';

/** Reads from a socket until `pattern` has arrived; resolves with everything read so far. */
function readUntil(socket: net.Socket, seen: { text: string }, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(seen.text)) {
        socket.off('data', check);
        resolve(seen.text);
      }
    };
    socket.on('data', check);
    socket.once('close', () => (pattern.test(seen.text) ? resolve(seen.text) : reject(new Error(`closed before ${pattern}: ${seen.text}`))));
    check();
  });
}

/** Connects straight to a hop's server (its front) and reads the greeting; `seen.text` collects every byte. */
async function greeted(address: { host: string; port: number }): Promise<{ socket: net.Socket; seen: { text: string } }> {
  const socket = net.connect(address.port, address.host);
  const seen = { text: '' };
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (seen.text += d));
  await once(socket, 'connect');
  await readUntil(socket, seen, /^220 /m);
  return { socket, seen };
}

// Exim pipelines QUIT after the final dot and half-closes its side at once; a front that treated
// the FIN as the end of the connection dropped the 250 and the sender delivered the message again.
describe('a hop behind a front (fake-STARTTLS modes)', () => {
  it.each(['none', 'fake-454'] as const)('%s: a client that pipelines QUIT and half-closes still gets 250 and 221', async (starttls) => {
    const scenario = Scenario.parse({ name: 'half-close', hops: [{ id: 'mx', inbound: { starttls } }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    await using chain = await startChain(scenario);
    const { socket, seen } = await greeted(chain.hops[0].server);
    socket.write('EHLO sender.mailhop.test\r\nMAIL FROM:<a@org.test>\r\nRCPT TO:<b@partner.test>\r\nDATA\r\n');
    await readUntil(socket, seen, /^354 /m);
    socket.end('X-Mailhop-Id: m7\r\nSubject: half-close\r\n\r\nhello\r\n.\r\nQUIT\r\n');
    const all = await readUntil(socket, seen, /^221 /m);
    expect(all).toMatch(/^250 [^\r\n]*queued/m);
    await once(socket, 'close');
    expect(chain.mailbox().map((m) => m.id)).toEqual(['m7']);
  });

  it.each(['fake-454', 'fake-502'] as const)('%s: 5,000 pipelined STARTTLS lines each get the front\'s refusal, in order, and the hop still serves', async (starttls) => {
    const scenario = Scenario.parse({ name: 'starttls-flood', hops: [{ id: 'mx', inbound: { starttls } }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    await using chain = await startChain(scenario);
    const { socket, seen } = await greeted(chain.hops[0].server);
    // Each refusal unblocks the next STARTTLS from inside the front's loop: this once recursed 5,000 deep.
    socket.write(`EHLO flood.test\r\n${'STARTTLS\r\n'.repeat(5_000)}NOOP\r\n`);
    const all = await readUntil(socket, seen, /^250 2\.0\.0 OK\r\n/m);
    const refusal = starttls === 'fake-454' ? /^454 4\.7\.0 / : /^502 5\.5\.1 /;
    const lines = all.split('\r\n').filter((l) => /^\d{3} /.test(l));
    expect(lines.length).toBe(1 + 1 + 5_000 + 1); // greeting, EHLO, every STARTTLS, NOOP
    expect(lines.slice(2, -1).every((l) => refusal.test(l))).toBe(true);
    socket.end('QUIT\r\n');
    await once(socket, 'close');
    expect((await chain.run()).outcome).toBe('delivered');
  });
});
