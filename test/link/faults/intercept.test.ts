import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { intercept } from '../../../harness/link/faults/intercept.js';
import { RunPki, type KeyCert } from '../../../harness/pki/run-pki.js';
import { dialog } from '../../support/dialog.js';
import { LOOPBACK, makeCert, startLink, startSmtpServer } from '../../support/link.js';

let serverCert: KeyCert;
let attacker: KeyCert;
beforeAll(async () => {
  serverCert = await makeCert();
  attacker = await (await RunPki.create()).issue('localhost', 'untrusted-ca');
});

/** A line-oriented SMTP client over whichever socket is current (plain, then TLS). */
function smtp(socket: net.Socket | tls.TLSSocket) {
  let text = '';
  let wake = () => {};
  const listen = (s: net.Socket | tls.TLSSocket) => s.on('data', (d: Buffer) => ((text += d.toString('latin1')), wake()));
  listen(socket);
  return {
    get text() {
      return text;
    },
    /** Sends a line (unless null) and resolves with the reply's final line. */
    async cmd(line: string | null): Promise<string> {
      const from = text.length;
      if (line !== null) socket.write(`${line}\r\n`);
      for (;;) {
        const final = /^\d{3} .*\r\n/m.exec(text.slice(from));
        if (final) return final[0].trimEnd();
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    upgrade(secure: tls.TLSSocket) {
      socket = secure;
      listen(secure);
    },
  };
}

// docs/behaviour.md#A-intercept: a TLS-interception proxy; both legs encrypted, the middle in clear.
describe('intercept', () => {
  it("ends the client's TLS with the attacker's certificate and relays the SMTP dialogue over its own TLS to the server", async () => {
    await using mx = await startSmtpServer({ ...serverCert });
    await using link = await startLink(mx.port, [intercept('localhost', attacker)]);
    const plain = net.connect({ host: LOOPBACK, port: link.port });
    const c = smtp(plain);
    expect(await c.cmd(null)).toMatch(/^220 /);
    expect(await c.cmd('EHLO client.test')).toBe('250 STARTTLS');
    expect(await c.cmd('STARTTLS')).toMatch(/^220 /);

    const secure = tls.connect({ socket: plain, servername: 'localhost', ca: [serverCert.cert], rejectUnauthorized: false });
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    c.upgrade(secure);
    const peer = secure.getPeerCertificate();
    expect(peer.issuer.CN).toBe('mailhop foreign CA');
    expect(secure.authorized).toBe(false);

    // Inside the client's TLS, the real server answers (smtp-server's EHLO reply, no STARTTLS any more).
    expect(await c.cmd('EHLO client.test')).toBe('250 AUTH LOGIN PLAIN');
    expect(c.text.slice(c.text.indexOf('220 Ready to start TLS'))).not.toContain('STARTTLS\r\n'); // RFC 3207 §4.2
    expect(await c.cmd('MAIL FROM:<a@client.test>')).toMatch(/^250 /);
    expect(await c.cmd('RCPT TO:<b@server.test>')).toMatch(/^250 /);
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    expect(await c.cmd('X-Mailhop-Id: m-intercepted\r\n\r\nread in the middle\r\n.')).toMatch(/^250 /);
    expect(await c.cmd('QUIT')).toMatch(/^221 /);

    // The server saw TLS too, but a session with the attacker, not with the client.
    expect(mx.received).toMatchObject([{ secure: true, body: expect.stringContaining('read in the middle') }]);
    const record = await link.closed();
    expect(record, dialog(record)).toMatchObject({ handshake: 'established', plaintextData: false });
    expect(record.faults.map((f) => [f.fault, f.dir, f.action, f.effect])).toEqual(
      expect.arrayContaining([
        ['intercept', 'C', 'intercept', 'tls-intercepted'],
        ['intercept', 'S', 'intercept', 'tls-intercepted'],
      ]),
    );
    expect(record.faults.find((f) => f.dir === 'C')?.note).toMatch(/^ended the client's TLS with an attacker certificate \(CN=localhost, issuer mailhop foreign CA\): TLSv1\.3 /);
  });

  it('a client that refuses the certificate ends the session; the failure is recorded', async () => {
    await using mx = await startSmtpServer({ ...serverCert });
    await using link = await startLink(mx.port, [intercept('localhost', attacker)]);
    const plain = net.connect({ host: LOOPBACK, port: link.port });
    const c = smtp(plain);
    await c.cmd(null);
    await c.cmd('EHLO client.test');
    await c.cmd('STARTTLS');

    const secure = tls.connect({ socket: plain, servername: 'localhost', ca: [serverCert.cert] });
    const error = await new Promise<Error & { code?: string }>((resolve) => secure.once('error', resolve));

    expect(error.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const record = await link.closed();
    expect(record).toMatchObject({ handshake: 'failed' });
    expect(record.faults).toContainEqual(expect.objectContaining({ fault: 'intercept', dir: 'C', action: 'abandoned' }));
    expect(mx.received).toEqual([]);
  });

  it("records the server leg's note before the client leg's even when the client's handshake ends first (same record on every runtime)", async () => {
    // A server that takes up TLS only once the client's handshake with the interceptor is over.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = net.createServer((socket) => {
      socket.write('220 mx.test ESMTP\r\n');
      /** After STARTTLS: where the bytes go (held until the release, then into the server's TLS). */
      let feed: ((bytes: Buffer) => void) | null = null;
      socket.on('data', (bytes: Buffer) => {
        if (feed) return feed(bytes);
        if (/^EHLO/i.test(bytes.toString())) return void socket.write('250-mx.test\r\n250 STARTTLS\r\n');
        // STARTTLS: the interceptor's ClientHello waits here until the client's handshake is over.
        const held: Buffer[] = [];
        feed = (chunk) => void held.push(chunk);
        socket.write('220 2.0.0 go ahead\r\n');
        void released.then(() => {
          const wire = new Duplex({ read() {}, write: (chunk: Buffer, _encoding, done) => void socket.write(chunk, () => done()) });
          for (const chunk of held) wire.push(chunk);
          feed = (chunk) => void wire.push(chunk);
          const secure = new tls.TLSSocket(wire, { isServer: true, ...serverCert });
          secure.on('data', () => secure.end('221 2.0.0 bye\r\n', () => socket.end()));
          secure.on('error', () => {});
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    try {
      await using link = await startLink((server.address() as net.AddressInfo).port, [intercept('localhost', attacker)]);
      const plain = net.connect({ host: LOOPBACK, port: link.port });
      const c = smtp(plain);
      await c.cmd(null);
      await c.cmd('EHLO client.test');
      expect(await c.cmd('STARTTLS')).toMatch(/^220 /);
      const secure = tls.connect({ socket: plain, servername: 'localhost', rejectUnauthorized: false });
      await new Promise((resolve) => secure.once('secureConnect', resolve));
      release();
      c.upgrade(secure);
      expect(await c.cmd('QUIT')).toMatch(/^221 /);
      secure.end();
      const record = await link.closed();
      expect(record.faults.filter((f) => f.action === 'intercept').map((f) => f.dir), dialog(record)).toEqual(['S', 'C']);
    } finally {
      server.close();
    }
  });
});
