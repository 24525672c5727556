/**
 * `mailhop up` as a person uses it: spawned as its own process, it prints the addresses; a message
 * sent by hand (nodemailer with STARTTLS, then a raw plaintext SMTP dialogue, neither with an
 * X-Mailhop-Id header) gets its live verdict line; SIGINT stops it with exit code 0 and every port closed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import nodemailer from 'nodemailer';

/** Collects a child's stdout and resolves when a line matches. */
function lines(child: ChildProcess) {
  let buffer = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (const w of [...waiters]) {
      const m = buffer.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    text: () => buffer,
    waitFor: (re: RegExp) =>
      new Promise<RegExpMatchArray>((resolve) => {
        const m = buffer.match(re);
        if (m) resolve(m);
        else waiters.push({ re, resolve });
      }),
  };
}

/** A plaintext SMTP dialogue on a raw socket (RFC 5321), answering each reply with the next command. */
async function sendPlain(port: number): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const replies: string[] = [];
  let pending = '';
  const script = ['EHLO tester.local', 'MAIL FROM:<carol@org.test>', 'RCPT TO:<dan@partner.test>', 'DATA', 'Subject: by hand\r\n\r\nhello\r\n.', 'QUIT'];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: string) => {
      pending += chunk;
      // A reply is complete at a line "NNN text" (no dash after the code).
      while (/^\d{3} .*\r\n/m.test(pending)) {
        const end = pending.search(/^\d{3} .*\r\n/m);
        const lineEnd = pending.indexOf('\r\n', end) + 2;
        replies.push(pending.slice(end, lineEnd - 2));
        pending = pending.slice(lineEnd);
        const next = script.shift();
        if (next) socket.write(`${next}\r\n`);
      }
    });
  });
  return replies;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('mailhop up', () => {
  let child: ChildProcess | undefined;
  // Every child this file started: a failed assertion must not leave a chain running for the rest of the suite.
  const started: ChildProcess[] = [];
  afterEach(() => {
    if (child) started.push(child);
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  test('prints the addresses, a live verdict per message sent by hand, and stops cleanly on SIGINT', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', 'up', 'scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const out = lines(child);
    await out.waitFor(/Ctrl-C stops the chain\.\n/);
    const hops = [...out.text().matchAll(/^ {2}hop (\S+) +send to 127\.0\.0\.1:(\d+) +server 127\.0\.0\.1:(\d+) +(\S+), starttls (\S+)$/gm)].map((m) => ({
      id: m[1], proxy: Number(m[2]), server: Number(m[3]), hostname: m[4], starttls: m[5],
    }));
    expect(hops.map((h) => `${h.id} ${h.hostname} ${h.starttls}`)).toEqual(['sendmail sendmail.mailhop.test offer', 'gateway gateway.mailhop.test offer', 'mailbox mailbox.mailhop.test offer']);
    expect(out.text()).toContain(`swaks --server 127.0.0.1 --port ${hops[0].proxy} --from alice@org.test --to bob@partner.test --tls-optional`);

    // 1. A mail client that uses STARTTLS when offered (the run's CA is not one it knows).
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: hops[0].proxy, secure: false, name: 'tester.local', tls: { rejectUnauthorized: false } });
    const info = await transport.sendMail({ from: 'alice@org.test', to: 'bob@partner.test', subject: 'by hand', text: 'hello' });
    expect(info.response).toMatch(/^250 /);
    const first = await out.waitFor(/^m1 .*$/m);
    expect(first[0]).toMatch(
      /^m1 delivered · client->sendmail: sendmail received it over TLS \(TLSv1\.3 \S+\) · sendmail->gateway 🔓 plain · gateway->mailbox 🔓 plain · end to end from sendmail on: broken$/,
    );

    // 2. A raw plaintext dialogue: no STARTTLS on the first link.
    const replies = await sendPlain(hops[0].proxy);
    expect(replies.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
    const second = await out.waitFor(/^m2 .*$/m);
    expect(second[0]).toBe('m2 delivered · client->sendmail: sendmail received it in plaintext · sendmail->gateway 🔓 plain · gateway->mailbox 🔓 plain · end to end from sendmail on: broken');

    // 3. Sent to the gateway's address, not the first hop's: the line starts where the mail came in.
    const third = await sendPlain(hops[1].proxy);
    expect(third.at(-2)).toMatch(/^250 2\.6\.0 Ok: queued as /);
    const entered = await out.waitFor(/^m3 .*$/m);
    expect(entered[0]).toBe('m3 delivered · sendmail->gateway: gateway received it in plaintext · gateway->mailbox 🔓 plain · end to end from gateway on: broken');

    // 4. Ctrl-C: everything stops, exit code 0, every port closed.
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(out.text()).toMatch(/SIGINT: stopping the chain…\nstopped: 6 ports closed\n$/);
    const ports = hops.flatMap((h) => [h.proxy, h.server]);
    expect(await Promise.all(ports.map(refused))).toEqual(ports.map(() => true));
  }, 30_000);

  test('prints deferrals as they happen, then the message held when virtual time runs out; SIGTERM stops it too', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', 'up', 'scenarios/mandatory-to-hop-without-starttls-held.yaml'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const out = lines(child);
    const [, port] = await out.waitFor(/^ {2}hop sender +send to 127\.0\.0\.1:(\d+)/m);
    await out.waitFor(/Ctrl-C stops the chain\.\n/);
    await sendPlain(Number(port));
    await out.waitFor(/^m1 held.*$/m);
    const text = out.text();
    expect(text).toContain('m1 deferred at relay (attempt 1): 450 4.7.4 TLS is required, but was not offered by host mailbox.mailhop.test; next attempt at +5m (virtual time)');
    expect(text).toMatch(/^m1 held at relay · client->sender: sender received it in plaintext · sender->relay 🔒 tls · relay->mailbox ⛔ refused · end to end from sender on: held$/m);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(out.text()).toMatch(/SIGTERM: stopping the chain…\nstopped: 6 ports closed\n$/);
  }, 30_000);
});
