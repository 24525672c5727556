import { beforeAll, describe, expect, it } from 'vitest';
import { dialog } from '../support/dialog.js';
import { makeCert, sendStamped, startLink, startRawServer, startSmtpServer } from '../support/link.js';

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
    expect(server.protocol).toBe('TLSv1.3');
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
    expect(record.tls?.version).toBe(mx.received[0].protocol);
    expect(record.tls?.cipher).toBe(mx.received[0].tls && mx.received[0].tls.name);
  });

  it('reports TLS 1.2 and the ECDHE cipher of a TLS 1.2-only server', async () => {
    await using mx = await startSmtpServer({ ...pki, maxVersion: 'TLSv1.2' });
    await using link = await startLink(mx.port);

    await sendStamped(link.port, 'm-tls12');
    const record = await link.closed();

    const negotiated = mx.received[0].tls;
    expect(mx.received[0].protocol).toBe('TLSv1.2');
    expect(record.tls, dialog(record)).toMatchObject({ version: 'TLSv1.2', cipher: negotiated && negotiated.name, nullCipher: false });
    expect(record.tls?.cipher).toMatch(/^ECDHE-ECDSA-/);
    expect(record.handshake).toBe('established');
  });

  it('flags an eNULL suite: "TLS" that does not encrypt (docs/behaviour.md#A-enull)', async () => {
    const nullOnly = { ciphers: 'ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0', maxVersion: 'TLSv1.2' } as const;
    await using mx = await startSmtpServer({ ...pki, ...nullOnly });
    await using link = await startLink(mx.port);

    const sent = await sendStamped(link.port, 'm-null', { tls: { rejectUnauthorized: false, ...nullOnly } });
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(mx.received[0].secure).toBe(true); // the server calls it secure...
    expect(record, dialog(record)).toMatchObject({
      handshake: 'established',
      tls: { version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-NULL-SHA', cipherCode: 0xc006, nullCipher: true }, // ...the wire says otherwise
      plaintextData: false,
    });
  });

  it('records a failed handshake when the client rejects the self-signed certificate (TLS 1.3)', async () => {
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port);

    const sent = await sendStamped(link.port, 'm-verify', { tls: { rejectUnauthorized: true } });
    const record = await link.closed();

    expect(sent.error).toBeDefined();
    expect(mx.received).toHaveLength(0);
    // The client's alert is encrypted in TLS 1.3, so the wire shows only that no session followed.
    expect(record, dialog(record)).toMatchObject({ handshake: 'failed', tls: { version: 'TLSv1.3' }, plaintextData: false });
    expect(record.handshakeFailure).toMatch(/^closed by (client|server)$/);
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
});
