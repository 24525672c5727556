/**
 * The web view's read-only JSON API and server-sent events with plain fetch, over `mailhop up --web`
 * run in this process: mail sent by hand appears as it happens, its verdicts become final, its bounce
 * brings a DSN; requests naming another Host are refused, as are non-loopback addresses and a taken port.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import nodemailer from 'nodemailer';
import { loadScenarioFile, startChain } from '../../harness/index.js';
import { startWebView } from '../../harness/web/web-view.js';
import { parseWebAddress } from '../../harness/web/web-address.js';
import type { ChainView, MessageDetail } from '../../harness/index.js';
import { readEvents, upWithWeb, type UpRun } from './up-in-process.js';

const json = async <T = unknown>(url: string) => {
  const r = await fetch(url);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.headers.get('access-control-allow-origin')).toBeNull();
  return { status: r.status, body: (await r.json()) as T };
};

/** Sends one message by hand (nodemailer uses STARTTLS when offered; the run's CA is not one it knows). */
function sendByHand(port: number, subject: string) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, name: 'tester.local', tls: { rejectUnauthorized: false } });
  return transport.sendMail({ from: 'alice@org.test', to: 'bob@partner.test', subject, text: 'hello' });
}

/** GET with a Host header of our choosing (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('the web view API', () => {
  let up: UpRun | undefined;
  afterEach(async () => {
    await up?.stop();
    up = undefined;
  });

  it('follows mail sent by hand through a bounce: messages, one message in full, links, DSNs, pushed as they happen', async () => {
    up = await upWithWeb('scenarios/mandatory-bounces-at-max-age.yaml');
    const { url } = up;
    const links = await json<ChainView>(`${url}api/links`);
    expect(links.body.scenario).toBe('mandatory-bounces-at-max-age');
    expect(links.body.hops.map((h) => `${h.id} ${h.sendTo.port}`)).toEqual(Object.entries(up.sendTo).map(([id, port]) => `${id} ${port}`));
    expect(links.body.links.map((l) => `${l.link} ${l.verdict}`)).toEqual(['client->sender none', 'sender->relay none', 'relay->mailbox none']);

    const events = await readEvents(`${url}api/events`);
    const snapshot = JSON.parse((await events.next((e) => e.event === 'snapshot')).data);
    expect(snapshot.messages).toEqual([]);
    expect(snapshot.diagram.html).toContain('data-link="relay-&gt;mailbox"');

    expect((await sendByHand(up.sendTo.sender, 'bounce me')).response).toMatch(/^250 /);
    const final = JSON.parse((await events.next((e) => e.event === 'message' && JSON.parse(e.data).final)).data);
    expect(final).toMatchObject({
      id: 'm1', status: 'bounced', final: true, from: 'alice@org.test', to: ['bob@partner.test'], entry: { link: 'client->sender', hop: 'sender' }, endToEnd: 'held',
      stoppedAt: { hop: 'relay' },
    });
    expect(final.links.map((l: { link: string; verdict?: string; received?: string }) => `${l.link} ${l.verdict ?? `received ${l.received}`}`)).toEqual([
      'client->sender received tls', 'sender->relay tls', 'relay->mailbox refused',
    ]);
    const dsns = JSON.parse((await events.next((e) => e.event === 'dsns')).data);
    expect(dsns).toMatchObject([{ messageId: 'm1', hop: 'relay', to: 'alice@org.test' }]);
    const chain = JSON.parse((await events.next((e) => e.event === 'chain' && JSON.parse(e.data).chain.links[2].verdict === 'refused')).data);
    expect(chain.diagram.html).toMatch(/data-link="client-&gt;sender" data-verdict="none" data-received="tls" data-lock="closed"/);
    events.close();

    expect((await json(`${url}api/messages`)).body).toEqual([final]);
    const m1 = (await json<MessageDetail>(`${url}api/messages/m1`)).body;
    expect(m1.dsns).toEqual(dsns);
    expect(m1.headers).toEqual([]);
    const refused = m1.links[2];
    expect(refused).toMatchObject({ link: 'relay->mailbox', verdict: 'refused' });
    expect(refused.connections.length).toBeGreaterThan(1);
    expect(refused.connections[0].summary).toMatch(/^policy mandatory · STARTTLS not advertised · .*deferred: /);
    expect(refused.connections[0].transcript).toContain('C: EHLO relay.mailhop.test');
    expect(refused.connections[0].wire?.summary).toMatch(/^wire relay->mailbox#1: no TLS handshake/);
    const entry = m1.links[0];
    expect(entry.meaning).toBe('sent by hand: sender received it over TLS; no sender witness, so no verdict');
    expect(entry.connections[0].transcript).toEqual(expect.arrayContaining(['C: EHLO tester.local', 'C: STARTTLS', 'S: 220 2.0.0 Ready to start TLS']));

    const after = (await json<ChainView>(`${url}api/links`)).body.links;
    expect(after.map((l) => `${l.link} ${l.verdict}`)).toEqual(['client->sender none', 'sender->relay tls', 'relay->mailbox refused']);
    expect(after[0].received).toEqual({ tls: 1, plain: 0 });
    expect((await json(`${url}api/dsns`)).body).toEqual(dsns);
    expect(await json(`${url}api/messages/m9`)).toEqual({ status: 404, body: { status: 404, message: 'no message m9 in chain mandatory-bounces-at-max-age' } });
  });

  it('answers as the README shows, serves the page with a strict Content-Security-Policy, and no request naming another host', async () => {
    up = await upWithWeb('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml');
    const readme = await readFile('README.md', 'utf8');
    const example = readme.match(/^\$ curl -s http:\/\/127\.0\.0\.1:8025\/api\/messages\n(.*)$/m)![1];
    const events = await readEvents(`${up.url}api/events`);
    await sendByHand(up.sendTo.sendmail, 'hello web');
    await events.next((e) => e.event === 'message' && JSON.parse(e.data).final);
    events.close();
    // As printed there, but for the TLS 1.3 suite this machine chose.
    const suite = (text: string) => text.replace(/"cipher":"[A-Z0-9_]+"/g, '"cipher":"…"');
    expect(suite(JSON.stringify((await json(`${up.url}api/messages`)).body))).toBe(suite(example));

    const page = await fetch(up.url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<h1>mailhop up · messagelabs-plaintext-inbound-not-upgraded</h1>');
    const port = new URL(up.url).port;
    expect((await getWithHost(`${up.url}api/messages`, `localhost:${port}`)).status).toBe(200);
    // A page elsewhere that rebinds its own name to 127.0.0.1 sends its own name as Host.
    expect(await getWithHost(`${up.url}api/messages`, 'attacker.test')).toEqual({
      status: 403,
      body: JSON.stringify({ status: 403, message: `this web view answers only to 127.0.0.1:${port} (Host: attacker.test refused)` }),
    });
    expect(await up.stop()).toBe(0);
    up = undefined;
    await expect(fetch(page.url)).rejects.toThrow();
  });

  it('listens on 127.0.0.1 only, and a taken port stops up with exit 2 and the chain with it', async () => {
    expect(parseWebAddress(true)).toEqual({ host: '127.0.0.1', port: 8025 });
    expect(parseWebAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    for (const [value, code, message] of [
      ['0.0.0.0:8025', 'ELOOPBACK', '--web 0.0.0.0:8025: cannot serve the web view on 0.0.0.0: it listens on 127.0.0.1 only (it shows messages and transcripts).'],
      ['localhost:8025', 'ELOOPBACK', '--web localhost:8025: cannot serve the web view on localhost: it listens on 127.0.0.1 only (it shows messages and transcripts).'],
      ['[::1]:8025', 'ELOOPBACK', '--web [::1]:8025: cannot serve the web view on [::1]: it listens on 127.0.0.1 only (it shows messages and transcripts).'],
      ['http', 'EUSAGE', '--web http: cannot read it as an address: expected a port (8025) or 127.0.0.1:<port>.'],
      ['70000', 'EUSAGE', '--web 70000: cannot listen on port 70000: a port is within 0..65535.'],
    ]) expect(() => parseWebAddress(value), value).toThrow(expect.objectContaining({ code, message }));

    const { scenario } = await loadScenarioFile('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml');
    await using chain = await startChain(scenario);
    await expect(startWebView(chain, { host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'ELOOPBACK',
      message: 'web view: cannot serve it on 0.0.0.0: it listens on 127.0.0.1 only (it shows messages and transcripts).',
    });

    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as net.AddressInfo).port;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(upWithWeb('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml', { web: { host: '127.0.0.1', port: taken } })).rejects.toThrow(/^up exited 2/);
      expect(stderr.mock.calls.map((c) => String(c[0]))).toContain(
        `mailhop up: web view: cannot listen on 127.0.0.1:${taken}: the port is in use (EADDRINUSE). Give another port, or 0 for any free one.\n`,
      );
    } finally {
      stderr.mockRestore();
      blocker.close();
    }
  });
});
