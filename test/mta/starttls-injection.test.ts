import { describe, it, expect } from 'vitest';
import { deliverAttempt, type QueuedMessage } from '../../harness/mta/deliver-attempt.js';
import { LinkProxy } from '../../harness/link/link-proxy.js';
import type { LinkFault } from '../../harness/link/link-fault.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { Submit } from '../../harness/scenario/schema.js';
import type { AcceptedEvent, StarttlsInjectionEvent, TraceEvent } from '../../harness/trace/events.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';
import { runInline } from '../support/chain.js';
import { cmd, dial, dialog, expectReply } from '../support/dialog.js';
import { HOSTNAME, LINK, startTestHop, type TestHop } from '../support/hop.js';

// STARTTLS command injection (CVE-2011-0411 class; docs/behaviour.md#A-inject-command): plaintext commands
// pipelined after STARTTLS in the same segment. A correct server discards them (RFC 3207 §4.2);
// a `vulnerable-injection` hop runs them inside TLS, and the harness records that it did.

const MESSAGE = 'From: alice@org.test\r\nTo: bob@partner.test\r\nSubject: injection\r\nX-Mailhop-Id: m1\r\n\r\nHello.\r\n';

const injections = (events: TraceEvent[]) => events.filter((e): e is StarttlsInjectionEvent => e.kind === 'starttls-injection');

/** Dials the hop, sends `STARTTLS\r\nRSET\r\n` in one write, reads the 220 and completes the handshake. */
async function injectRset(hop: TestHop) {
  const client = await dial(hop.server.address, hop.pki);
  await cmd(client, 'EHLO client.mailhop.test', 250);
  client.write('STARTTLS\r\nRSET');
  await expectReply(client, client.readReply('STARTTLS'), 220);
  const tls = await client.startTls();
  return { client, tls };
}

/** Sends one message on an open session (post-TLS EHLO already answered). */
async function sendMessage(client: Awaited<ReturnType<typeof dial>>) {
  await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
  await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
  await cmd(client, 'DATA', 354);
  expect((await client.sendData(Buffer.from(MESSAGE))).code, dialog(client)).toBe(250);
}

describe('commands pipelined after STARTTLS', () => {
  it('offer (the honest smtp-server) discards them: the first reply inside TLS answers EHLO', async () => {
    await using hop = await startTestHop({ starttls: 'offer' });
    const { client } = await injectRset(hop);
    const ehlo = await cmd(client, 'EHLO client.mailhop.test', 250);
    expect(ehlo.lines.length, dialog(client)).toBeGreaterThan(1);
    expect(ehlo.lines[0]).toMatch(/^mx\.mailhop\.test/);
    expect((await cmd(client, 'NOOP', 250)).text).toBe('250 2.0.0 OK');
    await client.quit();
    expect(injections(hop.trace.events())).toEqual([]);
  });

  it('vulnerable-injection executes them inside TLS, ahead of the client, and records it', async () => {
    await using hop = await startTestHop({ starttls: 'vulnerable-injection' });
    const { client, tls } = await injectRset(hop);
    client.write('EHLO client.mailhop.test');
    // Inside TLS, the reply to the injected RSET comes first: the client would take it for its EHLO's.
    expect((await client.readReply('EHLO')).text, dialog(client)).toBe('250 2.0.0 Flushed');
    expect((await client.readReply('EHLO')).lines[0]).toMatch(/^mx\.mailhop\.test/);
    await sendMessage(client);
    await client.quit();

    const events = hop.trace.events();
    const [injection] = injections(events);
    expect(injection).toMatchObject({ kind: 'starttls-injection', source: 'receiver', hop: 'mx', link: LINK, commands: ['RSET'] });
    // The receiver records the session it ran: TLS, with the suite the client negotiated.
    const accepted = events.find((e): e is AcceptedEvent => e.kind === 'accepted')!;
    expect(accepted.remotePort).toBe(injection.serverPort);
    expect(accepted.tls).toMatchObject({ version: tls.version, cipher: tls.cipher });
    expect(hop.accepted[0].raw.toString()).toMatch(/with ESMTPS id/);
    expect(judgeMessageLink(LINK, 'm1', events).disagreement).toBe(
      'the receiver executed commands sent in clear before TLS as if they came inside TLS (STARTTLS command injection, CVE-2011-0411): RSET',
    );
  });

  it('vulnerable-injection with an honest client (nothing pipelined) is an ordinary TLS hop', async () => {
    const run = await runInline({ hops: [{ id: 'mx', inbound: { starttls: 'vulnerable-injection' } }] });
    expect(run.report.links[0]).toMatchObject({ verdict: 'tls', witnesses: { sender: 'tls', wire: 'tls', receiver: 'tls' } });
    expect(run.report.links[0].disagreement).toBeUndefined();
    expect(run.mailbox[0].raw.toString()).toMatch(/with ESMTPS id/);
    expect(injections(run.events)).toEqual([]);
  });
});

describe('an injecting link (test-only A-inject-command fault) in front of an honest sender', () => {
  /** Appends `RSET` to the client's STARTTLS, in the same write towards the hop. */
  const appendRset: LinkFault = {
    name: 'test-inject-rset',
    open: () => ({ command: (line) => (line.toUpperCase() === 'STARTTLS' ? { forward: ['STARTTLS', 'RSET'] } : undefined) }),
  };

  async function attack(starttls: 'offer' | 'vulnerable-injection') {
    await using hop = await startTestHop({ starttls });
    let record!: (r: WireRecord) => void;
    const recorded = new Promise<WireRecord>((resolve) => (record = resolve));
    await using link = await LinkProxy.start({ name: LINK, target: hop.server.address, faults: [appendRset], onRecord: (r) => record(r) });
    const message: QueuedMessage = { id: 'm1', from: 'alice@org.test', to: ['bob@partner.test'], raw: Buffer.from(MESSAGE), arrivedAt: 0, inbound: null, attempts: 0 };
    const outcome = await deliverAttempt({
      hop: 'client', link: LINK, policy: Submit.parse({}), address: link.address, servername: HOSTNAME,
      ehloName: 'client.mailhop.test', implicitTls: false, ca: [hop.pki.ca.cert], trace: hop.trace, now: () => 0,
    }, message, 1);
    hop.trace.emit({ kind: 'wire', source: 'wire', link: LINK, record: await recorded });
    const events = hop.trace.events();
    return { outcome, events, verdict: judgeMessageLink(LINK, 'm1', events) };
  }

  it('offer: the injected RSET is discarded, the message goes over TLS, nothing to flag', async () => {
    const { outcome, events, verdict } = await attack('offer');
    expect(outcome.result).toBe('relayed');
    expect(injections(events)).toEqual([]);
    expect(verdict.verdict).toBe('tls');
    expect(verdict.disagreement).toBeUndefined();
  });

  it('vulnerable-injection: the sender reads shifted replies and defers; the verdict flags the injection', async () => {
    const { outcome, events, verdict } = await attack('vulnerable-injection');
    // EHLO got RSET's 250, MAIL the EHLO reply, RCPT MAIL's, and DATA RCPT's 250 instead of 354.
    expect(outcome).toMatchObject({ result: 'deferred', reply: { code: 250 } });
    expect(injections(events).map((e) => e.commands)).toEqual([['RSET']]);
    expect(verdict.verdict).toBe('refused');
    expect(verdict.notes).toContain('the receiver executed commands sent in clear before TLS as if they came inside TLS (STARTTLS command injection, CVE-2011-0411): RSET');
    expect(verdict.disagreement).toMatch(/STARTTLS command injection/);
  });
});
