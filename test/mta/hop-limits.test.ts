/**
 * What a peer can make a hop hold is bounded (harness/mta/hop-limits.ts): message bytes, the header
 * section, recipients, idle time and the life of a session. Each limit is lowered for the test, and each
 * test asserts the reply on the wire, that the session (or the hop) goes on serving, and, for DATA, the
 * bytes the hop held, read from its own counter rather than from RSS.
 */
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { hopLimits } from '../../harness/mta/hop-limits.js';
import { cmd, dial, dialog } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';

const KiB = 1024;

/** A message: the header lines, an empty line, then `bodyBytes` of 998-character lines (RFC 5321 §4.5.3.1.6). */
function message(headers: string[], bodyBytes = 0): Buffer {
  const line = `${'x'.repeat(998)}\r\n`;
  const body = line.repeat(Math.ceil(bodyBytes / line.length)).slice(0, bodyBytes);
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

const ID = 'X-Mailhop-Id: m1';

/** Sends one transaction on an open dialog; resolves with the reply to the content. */
async function transaction(client: Awaited<ReturnType<typeof dial>>, raw: Buffer) {
  await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
  await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
  await cmd(client, 'DATA', 354);
  return client.sendData(raw);
}

/**
 * A raw client: writes `afterGreeting` once the 220 came, then (with `trickle`) one byte of it every
 * `everyMs`, round and round; resolves with everything received once the server has closed.
 */
function untilClosed(address: { host: string; port: number }, opts: { afterGreeting?: string; trickle?: string; everyMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(address.port, address.host);
    socket.setEncoding('latin1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (text: string) => {
      const greeted = !received.includes('\n');
      received += text;
      if (!greeted || !received.startsWith('220')) return;
      if (opts.afterGreeting) socket.write(opts.afterGreeting);
      const trickle = opts.trickle;
      if (trickle) {
        let at = 0;
        timer = setInterval(() => socket.write(trickle[at++ % trickle.length]), opts.everyMs ?? 20);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    });
  });
}

describe('hop limits: DATA beyond maxMessageBytes', () => {
  it.each(['offer', 'fake-454'] as const)(
    'starttls %s: 4 MiB against a 256 KiB limit is read to its end without being kept, answered 552 5.3.4, and the next transaction on the session is accepted',
    async (starttls) => {
      const limit = 256 * KiB;
      await using hop = await startTestHop({ starttls }, { maxMessageBytes: limit });
      const client = await dial(hop.server.address);
      await cmd(client, 'EHLO client.mailhop.test', 250);

      const big = await transaction(client, message([ID, 'Subject: big'], 4096 * KiB));
      expect(big.code, dialog(client)).toBe(552);
      expect(big.text).toBe(`552 5.3.4 Error: message exceeds fixed maximum message size ${limit}`);
      // It held some of the message while it fit, never more than the limit, and nothing once refused.
      expect(hop.server.held().peakBytes).toBeGreaterThan(0);
      expect(hop.server.held().peakBytes).toBeLessThanOrEqual(limit);
      expect(hop.server.held().bytes).toBe(0);

      const small = await transaction(client, message([ID, 'Subject: small'], 1000));
      expect(small.code, dialog(client)).toBe(250);
      expect(hop.accepted.map((m) => m.id)).toEqual(['m1']);
      expect(hop.accepted[0].raw.toString('latin1')).toContain('Subject: small\r\n');
      await client.quit();
    },
  );

  it('lets go of what it held when the client leaves in the middle of DATA', async () => {
    const patiently = { timeout: 10_000 }; // a loaded machine may take a while; nothing is timed
    await using hop = await startTestHop();
    const socket = net.connect(hop.server.address.port, hop.server.address.host);
    socket.on('error', () => {});
    socket.setEncoding('latin1');
    let received = '';
    socket.on('data', (text: string) => (received += text));
    await vi.waitFor(() => expect(received).toMatch(/^220 /), patiently);
    socket.write('EHLO client.mailhop.test\r\nMAIL FROM:<alice@org.test>\r\nRCPT TO:<bob@partner.test>\r\nDATA\r\n');
    await vi.waitFor(() => expect(received).toContain('354 '), patiently);
    socket.write(message([ID, 'Subject: cut short'], 200 * KiB));
    await vi.waitFor(() => expect(hop.server.held().bytes).toBeGreaterThan(0), patiently);
    socket.destroy();
    await vi.waitFor(() => expect(hop.server.held().bytes).toBe(0), patiently);
    expect(hop.accepted).toEqual([]);
  });

  it('accepts a message of exactly maxMessageBytes', async () => {
    const raw = message([ID, 'Subject: exact'], 10_000); // whole lines: sent as it is, CRLF at the end
    await using hop = await startTestHop({}, { maxMessageBytes: raw.length });
    const client = await dial(hop.server.address);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    expect((await transaction(client, raw)).code, dialog(client)).toBe(250);
    expect(hop.server.held()).toEqual({ bytes: 0, peakBytes: raw.length });
    await client.quit();
  });
});

describe('hop limits: the header section', () => {
  it('refuses a header section over maxHeaderBytes with 554 5.6.0 and accepts the next message', async () => {
    await using hop = await startTestHop({}, { maxHeaderBytes: 4 * KiB });
    const client = await dial(hop.server.address);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    const folded = `X-Long: ${Array.from({ length: 60 }, (_, i) => `part-${i}-${'y'.repeat(60)}`).join('\r\n ')}`; // ~4.2 KiB, one field

    const refused = await transaction(client, message([ID, folded], 100));
    expect(refused.text, dialog(client)).toBe('554 5.6.0 Error: message header section exceeds 4096 bytes');
    expect((await transaction(client, message([ID, 'Subject: fits'], 100))).code, dialog(client)).toBe(250);
    expect(hop.accepted).toHaveLength(1);
    await client.quit();
  });

  it('refuses more than maxHeaderFields fields with 554 5.6.0; exactly the limit, folded lines included, passes', async () => {
    await using hop = await startTestHop({}, { maxHeaderFields: 50 });
    const client = await dial(hop.server.address);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    const fields = (n: number) => [ID, ...Array.from({ length: n - 1 }, (_, i) => `X-Field-${i}: value\r\n\tcontinued`)];

    const refused = await transaction(client, message(fields(51), 100));
    expect(refused.text, dialog(client)).toBe('554 5.6.0 Error: message has more than 50 header fields');
    expect((await transaction(client, message(fields(50), 100))).code, dialog(client)).toBe(250);
    expect(hop.accepted).toHaveLength(1);
    await client.quit();
  });
});

describe('hop limits: recipients per transaction', () => {
  it('accepts 100 recipients and answers the 101st 452 4.5.3 (RFC 5321 §4.5.3.1.8, as Postfix); the message goes to the 100', async () => {
    await using hop = await startTestHop({}, { maxRecipients: 100 });
    const client = await dial(hop.server.address);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
    for (let i = 1; i <= 100; i++) await cmd(client, `RCPT TO:<r${i}@partner.test>`, 250);
    const over = await cmd(client, 'RCPT TO:<r101@partner.test>', 452);
    expect(over.text).toBe('452 4.5.3 Error: too many recipients');
    await cmd(client, 'DATA', 354);
    expect((await client.sendData(message([ID, 'Subject: many'], 100))).code, dialog(client)).toBe(250);
    expect(hop.accepted[0].to).toHaveLength(100);
    expect(hop.accepted[0].to.at(-1)).toBe('r100@partner.test');
    await client.quit();
  });

  it('refuses a recipient limit below the 100 RFC 5321 §4.5.3.1.8 requires, and a limit that is no positive integer', () => {
    expect(() => hopLimits({ maxRecipients: 99 })).toThrow('hop limit maxRecipients: cannot be 99: a server must accept at least 100 recipients per transaction (RFC 5321 §4.5.3.1.8).');
    expect(() => hopLimits({ idleTimeoutMs: 0 })).toThrow('hop limit idleTimeoutMs: cannot be 0: it must be a positive integer.');
    expect(() => hopLimits({ maxMessageBytes: Number.NaN })).toThrow('hop limit maxMessageBytes: cannot be NaN: it must be a positive integer.');
  });
});

describe('hop limits: time', () => {
  it('closes a connection idle for idleTimeoutMs with 421 4.4.2', async () => {
    await using hop = await startTestHop({}, { idleTimeoutMs: 200 });
    const received = await untilClosed(hop.server.address);
    expect(received).toMatch(/^220 mx\.mailhop\.test ESMTP mailhop\r\n421 4\.4\.2 Timeout - closing connection\r\n$/);
  });

  it('ends a client that trickles a byte at a time once the session is sessionLifetimeMs old, with 421 4.4.2', async () => {
    await using hop = await startTestHop({}, { sessionLifetimeMs: 400 });
    const received = await untilClosed(hop.server.address, { trickle: 'NOOP\r\n', everyMs: 20 });
    expect(received).toContain('\r\n421 4.4.2 mx.mailhop.test Error: session time limit exceeded\r\n');
    expect(received.endsWith('exceeded\r\n')).toBe(true);
    // The hop serves the next client as before.
    const client = await dial(hop.server.address);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    await client.quit();
  });

  it('ends a session that went on in TLS after STARTTLS at the same cap', async () => {
    await using hop = await startTestHop({}, { sessionLifetimeMs: 300 });
    const client = await dial(hop.server.address, hop.pki);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    await cmd(client, 'STARTTLS', 220);
    await client.startTls();
    await cmd(client, 'EHLO client.mailhop.test', 250);
    // Nothing more is sent: the next line is the server's own, at the cap (the idle timeout is 5 minutes).
    const reply = await client.readReply('(nothing)');
    expect(reply.text, dialog(client)).toBe('421 4.4.2 mx.mailhop.test Error: session time limit exceeded');
    client.destroy();
  });

  it('ends a connection a front took over and stalls (break-handshake stall) once it outlives the session cap', async () => {
    await using hop = await startTestHop({ starttls: 'break-handshake', how: 'stall' }, { sessionLifetimeMs: 100 });
    const received = await untilClosed(hop.server.address, { afterGreeting: 'EHLO client.mailhop.test\r\nSTARTTLS\r\n' });
    expect(received).toMatch(/\r\n220 2\.0\.0 Ready to start TLS\r\n$/);
  });
});
