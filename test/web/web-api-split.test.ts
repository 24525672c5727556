/**
 * `mailhop up --web` with a hop routing by MX (RFC 5321 §5.1): mail sent by hand to bob@partner.test and
 * carol@other.test is split per destination, and the JSON API and the printed live line show every recipient and
 * each copy with its own outcome, links and Received headers, as its MX host stored them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { MessageDetail, MessageSummary } from '../../harness/index.js';
import { tempDir } from '../support/temp-dir.js';
import { readEvents, upWithWeb, type UpRun } from './up-in-process.js';

/** gateway routes by MX: partner.test to mx-a (STARTTLS), other.test to mx-other (no STARTTLS). */
const SPLIT = `
name: split-by-hand
hops:
  - id: gateway
    outbound: { tls: opportunistic, route: mx }
  - id: mx-a
  - id: mx-other
    inbound: { starttls: none }
dns:
  partner.test:
    mx: [{ hop: mx-a, preference: 10 }]
  other.test:
    mx: [{ hop: mx-other, preference: 10 }]
messages:
  - { from: alice@org.test, to: [dave@partner.test], subject: not sent under up }
`;

describe('the web view of a message split per destination', () => {
  let up: UpRun | undefined;
  afterEach(async () => {
    await up?.stop();
    up = undefined;
  });

  it('lists every recipient, and each copy with its own outcome, links and Received headers', async () => {
    const file = join(tempDir('web-split'), 'split.yaml');
    await writeFile(file, SPLIT);
    up = await upWithWeb(file);
    const events = await readEvents(`${up.url}api/events`);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: up.sendTo.gateway, secure: false, name: 'tester.local', tls: { rejectUnauthorized: false } });
    const sent = await transport.sendMail({ from: 'alice@org.test', to: ['bob@partner.test', 'carol@other.test'], subject: 'two domains', text: 'hello' });
    expect(sent.accepted).toEqual(['bob@partner.test', 'carol@other.test']);
    const line = (await up.waitFor(/^m1 .*$/m))[0];
    const final = JSON.parse((await events.next((e) => e.event === 'message' && JSON.parse(e.data).id === 'm1' && JSON.parse(e.data).final)).data) as MessageSummary;
    events.close();
    expect(final).toMatchObject({ id: 'm1', status: 'delivered', to: ['bob@partner.test', 'carol@other.test'], endToEnd: 'broken' });
    expect(final.destinations?.map((d) => [d.destination, d.outcome, d.endToEnd, d.links.map((l) => `${l.link} ${l.verdict}`)])).toEqual([
      ['partner.test', 'delivered', 'encrypted', ['gateway->mx-a tls']],
      ['other.test', 'delivered', 'broken', ['gateway->mx-other plain']],
    ]);
    const list = (await (await fetch(`${up.url}api/messages`)).json()) as MessageSummary[];
    expect(list.map((m) => m.to)).toEqual([['bob@partner.test', 'carol@other.test']]);
    const detail = (await (await fetch(`${up.url}api/messages/m1`)).json()) as MessageDetail;
    // Each copy's headers as its MX host stored them: the top Received names that host and says how it got the copy.
    const tops = detail.destinations?.map((d) => [d.destination, d.received[0]?.match(/by (\S+)/)?.[1], /with ESMTPS/.test(d.received[0] ?? '')]);
    expect(tops).toEqual([['partner.test', 'mx-a.mailhop.test', true], ['other.test', 'mx-other.mailhop.test', false]]);
    // The printed line: the shared entry once, then each copy.
    expect(line).toContain('→ partner.test delivered: gateway->mx-a 🔒 tls, end to end from gateway on: encrypted');
    expect(line).toContain('→ other.test delivered: gateway->mx-other 🔓 plain, end to end from gateway on: broken');
  });
});
