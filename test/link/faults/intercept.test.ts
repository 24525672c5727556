import net from 'node:net';
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
});
