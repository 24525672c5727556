import net from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TlsRecordParser } from '../../harness/link/tls-hello.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { WireWitness } from '../../harness/link/wire-witness.js';
import { dialog } from '../support/dialog.js';
import { playWitness, type Step } from '../support/play-witness.js';
import { LOOPBACK, makeCert, sendStamped, startSmtpServer } from '../support/link.js';


function witness(): WireWitness {
  let clock = 1_000;
  return new WireWitness({ link: 'client->mx', seq: 1, clientPort: 40000, now: () => clock++ });
}

const play = playWitness;

const PLAINTEXT: Step[] = [
  ['S', '220 mx.test ESMTP\r\n'],
  ['C', 'EHLO client.test\r\n'],
  ['S', '250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n'],
  // RFC 2920: MAIL, RCPT and DATA in one go, answered in one go.
  ['C', 'MAIL FROM:<a@client.test>\r\nRCPT TO:<b@mx.test>\r\nDATA\r\n'],
  ['S', '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n'],
  ['C', 'From: a@client.test\r\nX-Mailhop-Id: m-42\r\n\r\n..a dot-stuffed line\r\nQUIT\r\n.\r\n'],
  ['S', '250 2.0.0 Ok: queued\r\n'],
  ['C', 'QUIT\r\n'],
  ['S', '221 2.0.0 Bye\r\n'],
];

describe('WireWitness: the plaintext dialogue', () => {
  it('follows pipelined commands, the 354 and the content up to the final dot', () => {
    const record = play(PLAINTEXT);
    expect(record, dialog(record)).toMatchObject({
      greeting: { code: 220, text: 'mx.test ESMTP' },
      ehlo: ['PIPELINING', '8BITMIME'],
      starttlsAdvertised: false,
      plaintextData: true,
      plaintextMessageIds: ['m-42'],
      plaintextDataBytes: 'From: a@client.test\r\nX-Mailhop-Id: m-42\r\n\r\n..a dot-stuffed line\r\nQUIT\r\n.\r\n'.length,
      handshake: 'none',
      closedBy: 'client',
    });
    // The QUIT inside the content is content, not a command.
    expect(record.commands.map((c) => c.verb)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(record.transcript.find((e) => e.text.startsWith('[plaintext message'))).toEqual({ dir: 'C', text: '[plaintext message: 74 bytes, X-Mailhop-Id: m-42]' });
  });

  it('gives the same record for 1-byte chunks', () => {
    expect(play(PLAINTEXT, 1)).toEqual(play(PLAINTEXT));
  });

  it('takes BDAT chunks (RFC 3030) as content without waiting for a reply', () => {
    const chunk = 'X-Mailhop-Id: m-bdat\r\n\r\nhi\r\n';
    const record = play([
      ['S', '220 mx.test ESMTP\r\n'],
      ['C', 'EHLO c\r\n'],
      ['S', '250-mx.test\r\n250 CHUNKING\r\n'],
      ['C', `MAIL FROM:<a@c>\r\nRCPT TO:<b@mx.test>\r\nBDAT ${chunk.length} LAST\r\n${chunk}RSET\r\n`],
      ['S', '250 ok\r\n250 ok\r\n250 queued\r\n250 reset\r\n'],
    ]);
    expect(record.plaintextMessageIds).toEqual(['m-bdat']);
    expect(record.plaintextDataBytes).toBe(chunk.length);
    expect(record.commands.map((c) => c.verb)).toEqual(['EHLO', 'MAIL', 'RCPT', 'BDAT', 'RSET']);
  });

  it('does not take SASL responses after a 334 for commands', () => {
    const record = play([
      ['S', '220 mx.test\r\n'],
      ['C', 'AUTH LOGIN\r\n'],
      ['S', '334 VXNlcm5hbWU6\r\n'],
      ['C', 'dXNlcg==\r\n'],
      ['S', '334 UGFzc3dvcmQ6\r\n'],
      ['C', 'cGFzcw==\r\n'],
      ['S', '235 ok\r\n'],
      ['C', 'STARTTLS\r\n'],
      ['S', '454 4.7.0 TLS not available due to temporary reason\r\n'],
    ]);
    expect(record.commands.map((c) => c.verb)).toEqual(['AUTH', 'STARTTLS']);
    expect(record).toMatchObject({ starttlsSent: true, starttlsReply: { code: 454, text: '4.7.0 TLS not available due to temporary reason' }, handshake: 'none' });
  });

  it('reads STARTTLS as the last line of a multiline EHLO reply', () => {
    const record = play([
      ['S', '220 mx.test\r\n'],
      ['C', 'EHLO c\r\n'],
      ['S', '250-mx.test\r\n250-SIZE 1000\r\n250 STARTTLS\r\n'],
    ]);
    expect(record.starttlsAdvertised).toBe(true);
  });
});

describe('WireWitness: the TLS phase', () => {
  const upTo220: Step[] = [
    ['S', '220 mx.test\r\n'],
    ['C', 'EHLO c\r\n'],
    ['S', '250-mx.test\r\n250 STARTTLS\r\n'],
    ['C', 'STARTTLS\r\n'],
  ];
  const clientHello = Buffer.from([22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0]);

  it('records an alert answering the ClientHello as a failed handshake', () => {
    const record = play([...upTo220, ['S', '220 Ready to start TLS\r\n'], ['C', clientHello], ['S', Buffer.from([21, 3, 3, 0, 2, 2, 40])]]);
    expect(record).toMatchObject({
      handshake: 'failed',
      handshakeFailure: 'alert handshake_failure',
      alert: { from: 'server', level: 'fatal', description: 'handshake_failure', code: 40 },
    });
    expect(record.transcript.at(-1)).toEqual({ dir: 'S', text: '[TLS handshake failed: alert handshake_failure]' });
  });

  it('notes bytes injected after the 220 without taking them for the handshake (docs/behaviour.md#A-inject-response)', () => {
    const record = play([...upTo220, ['S', '220 Ready to start TLS\r\n250-evil\r\n250 AUTH PLAIN\r\n'], ['C', clientHello]]);
    expect(record.handshake).toBe('failed'); // closed by the client before any ServerHello
    expect(record.handshakeFailure).toBe('closed by client');
    expect(dialog(record)).toContain('S: [server sent bytes before the ClientHello: 250-evil..250 AUTH PLAIN..]');
    expect(record.replies).not.toContain('250-evil');
  });

  it('gives the same record for a real STARTTLS session fed whole or in 1-byte chunks', async () => {
    const pki = await makeCert();
    await using mx = await startSmtpServer({ ...pki });
    const steps = await capture(mx.port, (port) => sendStamped(port, 'm-capture'));

    const whole = play(steps);
    expect(whole, dialog(whole)).toMatchObject({ handshake: 'established', tls: { version: 'TLSv1.3' }, plaintextData: false });
    expect(play(steps, 1)).toEqual(whole);
  });

  it('reads no TLS record once the handshake is established, while a 1 MB message crosses, and still counts every byte', async () => {
    const pki = await makeCert();
    await using mx = await startSmtpServer({ ...pki });
    const body = `X-Mailhop-Id: m-big\r\n\r\n${`${'x'.repeat(998)}\r\n`.repeat(1100)}`;
    const steps = await capture(mx.port, (port) => sendOverStarttls(port, body));
    const sent = (dir: 'C' | 'S') => steps.filter(([d]) => d === dir).reduce((n, [, data]) => n + data.length, 0);

    const parse = vi.spyOn(TlsRecordParser.prototype, 'push');
    const record = play(steps);
    const parsed = parse.mock.calls.reduce((n, [chunk]) => n + chunk.length, 0);
    parse.mockRestore();

    expect(mx.received[0].body).toContain('X-Mailhop-Id: m-big');
    expect(record, dialog(record)).toMatchObject({ handshake: 'established', tls: { version: 'TLSv1.3' }, plaintextData: false });
    expect(record.bytes).toEqual({ fromClient: sent('C'), fromServer: sent('S') });
    expect(record.bytes.fromClient).toBeGreaterThan(1024 * 1024);
    // The ClientHello, the server's flight and the client's Finished: a few KiB, not the message.
    expect(parsed).toBeLessThan(16 * 1024);
  });
});

describe('WireWitness: bounded memory', () => {
  it('keeps 1 KiB of a 1 MB line, in any direction or phase', () => {
    const w = witness();
    const mb = Buffer.alloc(1024 * 1024, 'y');
    let most = 0;
    const feed = (dir: 'C' | 'S', bytes: Buffer) => {
      for (let at = 0; at < bytes.length; at += 65536) {
        if (dir === 'C') w.fromClient(bytes.subarray(at, at + 65536));
        else w.fromServer(bytes.subarray(at, at + 65536));
        most = Math.max(most, w.bufferedBytes);
      }
    };
    feed('S', Buffer.from('220 mx.test\r\n'));
    feed('C', Buffer.concat([Buffer.from('EHLO '), mb, Buffer.from('\r\n')]));
    feed('S', Buffer.concat([Buffer.from('500 '), mb, Buffer.from('\r\n')]));
    feed('C', Buffer.from('DATA\r\n'));
    feed('S', Buffer.from('354 go\r\n'));
    feed('C', Buffer.concat([mb, Buffer.from('\r\n.\r\n')]));
    const record = w.record();

    expect(most).toBeLessThanOrEqual(8192);
    expect(record.commands[0]).toEqual({ verb: 'EHLO', arg: 'y'.repeat(195) });
    expect(record.transcript[1].text).toMatch(/^EHLO y{1019}… \[1048583 bytes\]$/);
    expect(record.replies[1]).toHaveLength(1025);
    expect(record.plaintextDataBytes).toBe(mb.length + 5);
    expect(JSON.stringify(record).length).toBeLessThan(16384);
  });

  it('keeps at most 200 lines, and counts the rest', () => {
    const record = play([['S', '220 mx.test\r\n'], ['C', 'NOOP\r\n'.repeat(1000)], ['S', '250 ok\r\n'.repeat(1000)]]);
    expect(record.commands).toHaveLength(200);
    expect(record.replies).toHaveLength(200);
    expect(record.transcript).toHaveLength(200);
    expect(record.dropped).toBe(800 + 801 + 1801);
  });
});

/** Sends `message` over STARTTLS (required) with nodemailer's client, then QUITs. */
function sendOverStarttls(port: number, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = new SMTPConnection({ host: LOOPBACK, port, name: 'client.test', requireTLS: true, tls: { rejectUnauthorized: false } });
    conn.once('error', reject);
    conn.connect(() =>
      conn.send({ from: 'a@client.test', to: ['b@server.test'] }, message, (error) => {
        if (error) return reject(error);
        conn.quit();
        resolve();
      }),
    );
  });
}

/** Records every chunk of one session through a plain relay, in the order it crossed. */
async function capture(targetPort: number, drive: (port: number) => Promise<unknown>): Promise<Step[]> {
  const steps: Step[] = [];
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const relay = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: LOOPBACK, port: targetPort, allowHalfOpen: true });
    client.on('data', (chunk: Buffer) => (steps.push(['C', Buffer.from(chunk)]), upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => (steps.push(['S', Buffer.from(chunk)]), client.write(chunk)));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    for (const s of [client, upstream]) s.on('error', () => s.destroy());
    Promise.all([new Promise((r) => client.on('close', r)), new Promise((r) => upstream.on('close', r))]).then(() => finished());
  });
  await new Promise<void>((resolve) => relay.listen(0, LOOPBACK, () => resolve()));
  await drive((relay.address() as net.AddressInfo).port);
  await done;
  await new Promise((resolve) => relay.close(resolve));
  return steps;
}
