import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { LinkProxy } from '../../harness/link/link-proxy.js';
import { LOOPBACK, sendStamped, startLink, startRawServer } from '../support/link.js';
import { unusedPort } from '../support/ports.js';

/** Connects a raw client and collects what it receives until the proxy closes it. */
function rawClient(port: number): { socket: net.Socket; received: Promise<string>; closed: Promise<void> } {
  const socket = net.connect({ port, host: LOOPBACK, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: closed.then(() => Buffer.concat(chunks).toString('latin1')), closed };
}

describe('LinkProxy transport', () => {
  it('closes the client and records upstreamError when the target refuses', async () => {
    const freePort = await unusedPort();
    await using link = await startLink(freePort);

    const sent = await sendStamped(link.port, 'm-refused');
    const record = await link.closed();

    expect(sent.error).toBeDefined();
    expect(record.upstreamError?.code).toBe('ECONNREFUSED');
    expect(record.greeting).toBeUndefined();
  });

  it('passes bytes through unmodified, a 1 MB line included, and keeps 1 KiB of it', async () => {
    const echoed: Buffer[] = [];
    let echoedBytes = 0;
    let gotAll: () => void = () => {};
    const allEchoed = new Promise<void>((resolve) => (gotAll = resolve));
    const payload = Buffer.concat([Buffer.from('220 echo\r\n'), Buffer.alloc(1024 * 1024, 'x'), Buffer.from('\r\n')]);
    await using echo = await startRawServer((socket) => socket.pipe(socket));
    await using link = await startLink(echo.port);

    const client = net.connect(link.port, LOOPBACK);
    client.on('data', (chunk: Buffer) => {
      echoed.push(chunk);
      echoedBytes += chunk.length;
      if (echoedBytes >= payload.length) gotAll();
    });
    client.write(payload);
    await allEchoed;
    client.end();
    const record = await link.closed();

    expect(Buffer.concat(echoed).equals(payload)).toBe(true);
    expect(record.bytes).toEqual({ fromClient: payload.length, fromServer: payload.length });
    const long = record.transcript.find((e) => e.text.startsWith('xxx'));
    expect(long?.text).toMatch(/^x{1024}… \[1048578 bytes\]$/);
  });

  it('stop() destroys open connections, finalises their records and frees the port', async () => {
    await using mx = await startRawServer((socket) => socket.write('220 hold.test ESMTP\r\n'));
    const proxy = await LinkProxy.start({ name: 'client->hold', target: { host: LOOPBACK, port: mx.port } });
    const { port } = proxy.address;
    const client = net.connect(port, LOOPBACK);
    const clientClosed = new Promise((resolve) => client.on('close', resolve));
    client.on('error', () => {});
    await new Promise((resolve) => client.once('data', resolve));

    await proxy.stop();
    await clientClosed;

    expect(proxy.records()).toMatchObject([{ closedBy: 'proxy', greeting: { code: 220, text: 'hold.test ESMTP' } }]);
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, LOOPBACK, () => resolve()));
    await new Promise((resolve) => again.close(resolve));
  });

  it('passes a half-close on: the server still answers after the client sent FIN', async () => {
    await using mx = await startRawServer((socket) => {
      socket.write('220 half.test ESMTP\r\n');
      socket.on('end', () => socket.end('221 2.0.0 after your FIN\r\n'));
    });
    await using link = await startLink(mx.port);

    const client = rawClient(link.port);
    await new Promise((resolve) => client.socket.once('data', resolve));
    client.socket.end();

    expect(await client.received).toBe('220 half.test ESMTP\r\n221 2.0.0 after your FIN\r\n');
    const record = await link.closed();
    expect(record).toMatchObject({ closedBy: 'client', greeting: { code: 220 } });
    expect(record.replies).toEqual(['220 half.test ESMTP', '221 2.0.0 after your FIN']);
  });

  it('passes a reset on, and records it without crashing', async () => {
    await using mx = await startRawServer((socket) => {
      socket.write('220 rst.test ESMTP\r\n');
      socket.once('data', () => socket.resetAndDestroy());
    });
    await using link = await startLink(mx.port);

    const client = rawClient(link.port);
    const reset = new Promise<string | undefined>((resolve) => client.socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
    await new Promise((resolve) => client.socket.once('data', resolve));
    client.socket.write('EHLO client.test\r\n');

    expect(await reset).toBe('ECONNRESET');
    expect(await link.closed()).toMatchObject({ closedBy: 'server', closeError: { code: 'ECONNRESET' }, commands: [{ verb: 'EHLO' }] });
  });
});
