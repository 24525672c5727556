// How mailhop's SMTP client reads replies from a server that breaks the rules (reply-reader.ts), each case
// found by the client-side fuzz (test/reliability/fuzz-client.test.ts): a raw server on loopback says
// exactly the bytes given, and the client must read them as RFC 5321 §4.2 replies within the bounds, or
// fail the session with ESMTP, never read past a failure, and never turn the bytes into other replies.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MailhopError } from '../../harness/errors.js';
import { MAX_REPLY_LINE, MAX_REPLY_LINES } from '../../harness/mta/reply-reader.js';
import { SmtpClient } from '../../harness/mta/smtp-client.js';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';

/** A server that runs `script` on its one connection: it reads the client's lines and writes raw bytes. */
interface RawPeer {
  socket: net.Socket;
  /** Resolves with the client's next line (without CRLF). */
  line(): Promise<string>;
  /** Writes and waits until the kernel took it. */
  send(data: string | Buffer): Promise<void>;
}

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function rawServer(script: (peer: RawPeer) => Promise<void>): Promise<{ host: string; port: number }> {
  const server = net.createServer((socket) => {
    let buffered = '';
    const waiting: Array<() => void> = [];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      waiting.splice(0).forEach((w) => w());
    });
    socket.on('error', () => {});
    const peer: RawPeer = {
      socket,
      async line() {
        while (!buffered.includes('\n')) await new Promise<void>((resolve) => waiting.push(resolve));
        const lf = buffered.indexOf('\n');
        const l = buffered.slice(0, lf).replace(/\r$/, '');
        buffered = buffered.slice(lf + 1);
        return l;
      },
      send: (data) => new Promise((resolve) => socket.write(data, () => resolve())),
    };
    script(peer).catch(() => socket.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

const connect = (address: { host: string; port: number }, timeoutMs = 5_000) =>
  SmtpClient.connect({ ...address, ehloName: 'client.mailhop.test', timeoutMs, servername: 'mx.mailhop.test', ca: [] });

/** The error a pending read ends with (fails the test if it resolves). */
async function failure(pending: Promise<unknown>): Promise<{ code: string; message: string }> {
  const outcome = await pending.then(
    (reply) => ({ code: 'resolved', message: JSON.stringify(reply).slice(0, 300) }),
    (err: MailhopError) => ({ code: err.code, message: err.message }),
  );
  return outcome;
}

const serverLines = (client: SmtpClient) => client.transcript.filter((l) => l.dir === 'S').length;

describe('reply lines a hostile server sends', () => {
  it(`a 1 MB reply line is a protocol error, not a reply cut into ${MAX_REPLY_LINE}-octet lines`, async () => {
    const client = await connect(await rawServer((p) => p.send(`220 ${'x'.repeat(1024 * 1024)}\r\n`)));
    expect(await failure(client.readReply())).toEqual({
      code: 'ESMTP', message: `reply line longer than ${MAX_REPLY_LINE} octets (RFC 5321 §4.5.3.1.5: 512) (waiting for the reply to greeting)`,
    });
    expect(client.transcript).toEqual([]);
    client.destroy();
  });

  it(`a multiline reply that never ends fails after ${MAX_REPLY_LINES} lines, long before the reply timeout`, async () => {
    const client = await connect(await rawServer(async (p) => {
      await p.send('220 mx.mailhop.test ESMTP\r\n');
      await p.line();
      while (!p.socket.destroyed) await p.send('250-PIPELINING\r\n'.repeat(64));
    }), 3_000);
    await client.readReply();
    expect(await failure(client.command('EHLO client.mailhop.test'))).toEqual({ code: 'ESMTP', message: `reply to EHLO goes on past ${MAX_REPLY_LINES} lines` });
    expect(serverLines(client)).toBe(1 + MAX_REPLY_LINES);
    client.destroy();
  });

  it('reply codes outside 2xx-5xx, and a code glued to its text, are malformed (RFC 5321 §4.2)', async () => {
    for (const greeting of ['999 hello', '160 hello', '2x0 hello', '250hello']) {
      const client = await connect(await rawServer((p) => p.send(`${greeting}\r\n`)));
      expect(await failure(client.readReply()), greeting).toEqual({ code: 'ESMTP', message: `malformed reply to greeting: ${JSON.stringify(greeting)}` });
      client.destroy();
    }
  });

  it('a multiline reply whose code changes is malformed: 454- then 220 does not start TLS (RFC 5321 §4.2.1)', async () => {
    const client = await connect(await rawServer(async (p) => {
      await p.send('220 mx.mailhop.test ESMTP\r\n');
      await p.line();
      await p.send('454-4.7.0 TLS not available\r\n220 2.0.0 Ready to start TLS\r\n');
    }));
    await client.readReply();
    expect(await failure(client.command('STARTTLS'))).toEqual({ code: 'ESMTP', message: 'multiline reply to STARTTLS changes its code from 454 to 220 (RFC 5321 §4.2.1)' });
    client.destroy();
  });

  it('after a timeout, a late reply is not taken for the reply to the next command', async () => {
    const client = await connect(await rawServer(async (p) => {
      await p.send('220 mx.mailhop.test ESMTP\r\n');
      await p.line(); // EHLO: no answer until the client moved on
      await p.line(); // NOOP
      await p.send('250-mx.mailhop.test\r\n250 STARTTLS\r\n');
    }), 300);
    await client.readReply();
    const timedOut = { code: 'ETIMEOUT', message: 'no reply to EHLO within 300 ms' };
    expect(await failure(client.command('EHLO client.mailhop.test'))).toEqual(timedOut);
    expect(await failure(client.command('NOOP'))).toEqual(timedOut);
    client.destroy();
  });

  it('a flood of replies nobody asked for ends the session instead of filling memory', async () => {
    const client = await connect(await rawServer(async (p) => {
      await p.send('220 mx.mailhop.test ESMTP\r\n');
      await p.send('250 2.0.0 Ok\r\n'.repeat(100_000));
    }));
    const codes = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      const outcome = await client.readReply(`NOOP ${i}`).then((r) => String(r.code), (err: MailhopError) => err.message);
      codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
      if (!/^\d+$/.test(outcome)) break;
      await new Promise(setImmediate); // let the rest of the flood arrive
    }
    expect([...codes.keys()].at(-1)).toBe('more than 409800 octets of replies unread (a client that does not pipeline awaits one reply at a time)');
    client.destroy();
  });
});

describe('on the wire', () => {
  it('a greeting with reply code 999 defers the message; it is not bounced back to the sender', async () => {
    const address = await rawServer((p) => p.send('999 go away\r\n'));
    const scenario = Scenario.parse({
      name: 'code-999',
      hops: [
        { id: 'relay', outbound: { timeout: '2s' } },
        { id: 'gateway', engine: 'external', host: address.host, port: address.port },
        { id: 'mailbox' },
      ],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
      runFor: '1m',
    });
    await using chain = await startChain(scenario, { engineSettleMs: 1 });
    const report = await chain.run();
    expect(report.messages.map((m) => [m.outcome, m.stoppedAt?.hop])).toEqual([['deferred', 'relay']]);
    expect(chain.dsns()).toEqual([]);
    const session = chain.events().find((e) => e.kind === 'session' && e.link === 'relay->gateway');
    expect(session && 'reply' in session ? session.reply : null).toEqual({ code: 451, enhanced: '4.4.1', text: '451 4.4.1 malformed reply to greeting: "999 go away"' });
  });
});
