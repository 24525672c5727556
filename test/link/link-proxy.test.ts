import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { LinkProxy } from '../../harness/link/link-proxy.js';
import { dialog, LOOPBACK, makeCert, sendStamped, startLink, startSmtpServer } from './fixtures.js';

let pki: { key: string; cert: string };
beforeAll(async () => {
  pki = await makeCert();
});

describe('LinkProxy with a real smtp-server behind it', () => {
  it('sees STARTTLS and a TLS 1.3 session with the cipher the server negotiated', async () => {
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port);

    const sent = await sendStamped(link.port, 'm-tls13');
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(mx.received).toHaveLength(1);
    const server = mx.received[0];
    expect(server.secure).toBe(true);
    expect(record, dialog(record)).toMatchObject({
      link: 'client->mx',
      clientPort: sent.localPort,
      greeting: { code: 220 },
      starttlsAdvertised: true,
      starttlsSent: true,
      starttlsReply: { code: 220 },
      implicitTls: false,
      handshake: 'established',
      tls: { version: 'TLSv1.3', cipher: server.tls && server.tls.name, nullCipher: false },
      plaintextData: false,
      plaintextMessageIds: [],
    });
    expect(record.ehlo).toContain('STARTTLS');
    expect(record.commands.map((c) => c.verb)).toEqual(['EHLO', 'STARTTLS']);
    expect(record.transcript.at(-1)).toEqual({ dir: 'S', text: `[TLS handshake: TLSv1.3 ${server.tls && server.tls.name}]` });
    expect(record.closedAt).toBeGreaterThanOrEqual(record.openedAt);
  });

  it('sees the message cross in plaintext when the server does not offer STARTTLS', async () => {
    await using mx = await startSmtpServer({ ...pki, disabledCommands: ['STARTTLS'] });
    await using link = await startLink(mx.port);

    const sent = await sendStamped(link.port, 'm-plain-1');
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(record, dialog(record)).toMatchObject({
      starttlsAdvertised: false,
      starttlsSent: false,
      handshake: 'none',
      plaintextData: true,
      plaintextMessageIds: ['m-plain-1'],
    });
    expect(record.tls).toBeUndefined();
    expect(record.plaintextDataBytes).toBeGreaterThan(100);
    expect(record.commands.map((c) => `${c.verb} ${c.arg}`.trim())).toEqual([
      'EHLO client.test',
      'MAIL FROM:<a@client.test>',
      'RCPT TO:<b@server.test>',
      'DATA',
      'QUIT',
    ]);
    expect(dialog(record)).toContain('C: [plaintext message: ');
    expect(dialog(record)).toContain('X-Mailhop-Id: m-plain-1]');
  });

  it('sees hideSTARTTLS: not advertised, so the client stays in plaintext', async () => {
    await using mx = await startSmtpServer({ ...pki, hideSTARTTLS: true });
    await using link = await startLink(mx.port);

    await sendStamped(link.port, 'm-hidden');
    const record = await link.closed();

    expect(record, dialog(record)).toMatchObject({ starttlsAdvertised: false, starttlsSent: false, handshake: 'none', plaintextMessageIds: ['m-hidden'] });
  });

  it('detects implicit TLS: a ClientHello before any greeting', async () => {
    await using mx = await startSmtpServer({ ...pki, secure: true });
    await using link = await startLink(mx.port);

    const sent = await sendStamped(link.port, 'm-implicit', { secure: true });
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(record, dialog(record)).toMatchObject({ implicitTls: true, handshake: 'established', starttlsSent: false, plaintextData: false });
    expect(record.greeting).toBeUndefined();
    expect(record.tls?.version).toBe('TLSv1.3');
    expect(record.tls?.cipher).toBe(mx.received[0].tls && mx.received[0].tls.name);
  });

  it('reports TLS 1.2 and the ECDHE cipher of a TLS 1.2-only server', async () => {
    await using mx = await startSmtpServer({ ...pki, maxVersion: 'TLSv1.2' });
    await using link = await startLink(mx.port);

    await sendStamped(link.port, 'm-tls12');
    const record = await link.closed();

    const negotiated = mx.received[0].tls;
    expect(negotiated && negotiated.version).toBe('TLSv1.2');
    expect(record.tls, dialog(record)).toMatchObject({ version: 'TLSv1.2', cipher: negotiated && negotiated.name, nullCipher: false });
    expect(record.tls?.cipher).toMatch(/^ECDHE-ECDSA-/);
    expect(record.handshake).toBe('established');
  });

  it('records a failed handshake when the server answers the ClientHello with garbage', async () => {
    await using mx = await startRawServer((socket) => {
      const say = (line: string) => socket.write(`${line}\r\n`);
      say('220 broken.test ESMTP');
      let tls = false;
      socket.on('data', (chunk: Buffer) => {
        if (tls) return void socket.end('this is not TLS\r\n');
        const line = chunk.toString('latin1');
        if (/^EHLO/i.test(line)) say('250-broken.test\r\n250 STARTTLS');
        else if (/^STARTTLS/i.test(line)) {
          tls = true;
          say('220 Ready to start TLS');
        } else say('500 what');
      });
    });
    await using link = await startLink(mx.port);

    const sent = await sendStamped(link.port, 'm-garbage');
    const record = await link.closed();

    expect(sent.error).toBeDefined();
    expect(record, dialog(record)).toMatchObject({
      starttlsSent: true,
      starttlsReply: { code: 220, text: 'Ready to start TLS' },
      handshake: 'failed',
      handshakeFailure: 'non-TLS bytes from server',
      plaintextData: false,
    });
    expect(dialog(record)).toContain('S: [TLS handshake failed: non-TLS bytes from server]');
  });

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
    let gotAll: () => void = () => {};
    const allEchoed = new Promise<void>((resolve) => (gotAll = resolve));
    const payload = Buffer.concat([Buffer.from('220 echo\r\n'), Buffer.alloc(1024 * 1024, 'x'), Buffer.from('\r\n')]);
    await using echo = await startRawServer((socket) => socket.pipe(socket));
    await using link = await startLink(echo.port);

    const client = net.connect(link.port, LOOPBACK);
    client.on('data', (chunk: Buffer) => {
      echoed.push(chunk);
      if (Buffer.concat(echoed).length >= payload.length) gotAll();
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
});

/** A raw TCP server for behaviour smtp-server cannot show (reference §7). */
async function startRawServer(onConnection: (socket: net.Socket) => void): Promise<{ port: number } & AsyncDisposable> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    [Symbol.asyncDispose]: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback port nothing listens on: bind one, then free it. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
