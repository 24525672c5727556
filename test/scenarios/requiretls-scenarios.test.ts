/**
 * The REQUIRETLS scenarios (scenarios/requiretls/, RFC 8689) as they crossed the wire: which EHLO reply listed
 * REQUIRETLS and when, which MAIL FROM carried the parameter (the sender's transcript inside TLS, the wire record in
 * clear), what each hop answered, and the DSN a returned message got: its status, and its content cut to headers.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { startChain, type Dsn, type MailboxMessage } from '../../harness/chain/chain.js';
import type { ScenarioReport } from '../../harness/verdict/judge-scenario.js';
import type { AcceptedEvent, RefusedCommandEvent, SessionEvent, TraceEvent, WireEvent } from '../../harness/trace/events.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { REQUIRETLS_REFUSED } from '../../harness/mta/requiretls-params.js';
import { dialog } from '../support/dialog.js';

interface ScenarioRun {
  report: ScenarioReport;
  events: TraceEvent[];
  dsns: Dsn[];
  mailbox: MailboxMessage[];
  sessions(link: string, messageId?: string): SessionEvent[];
  wire(link: string): WireRecord[];
}

async function runFile(name: string): Promise<ScenarioRun> {
  const { scenario, file } = await loadScenarioFile(name.includes('/') ? name : `scenarios/requiretls/${name}.yaml`);
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  const events = chain.events();
  return {
    report, events, dsns: chain.dsns(), mailbox: chain.mailbox(),
    sessions: (link, id) => events.filter((e): e is SessionEvent => e.kind === 'session' && e.link === link && (id === undefined || e.messageId === id)),
    wire: (link) => events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === link).map((e) => e.record).sort((a, b) => a.seq - b.seq),
  };
}

/** The session's lines after the handshake (what only the two ends saw), as `C: ...` / `S: ...`. */
function insideTls(s: SessionEvent): string[] {
  const from = s.transcript.findIndex((l) => l.text.startsWith('TLS established'));
  return s.transcript.slice(from + 1).map((l) => `${l.dir}: ${l.text}`);
}

const mailFrom = (lines: string[]) => lines.filter((l) => l.startsWith('C: MAIL FROM:'));
const listsRequireTls = (lines: string[]) => lines.some((l) => /^S: 250[- ]REQUIRETLS$/.test(l));

describe('scenarios/requiretls', () => {
  it('three verifying hops: each lists REQUIRETLS only after STARTTLS, each MAIL FROM carries it, encrypted-verified', async () => {
    const run = await runFile('three-verifying-hops-encrypted-verified');
    for (const link of ['client->submission', 'submission->relay', 'relay->mailbox']) {
      const [s] = run.sessions(link);
      const inside = insideTls(s);
      expect({ link, listed: listsRequireTls(inside), mail: mailFrom(inside) }, dialog(s)).toEqual({ link, listed: true, mail: ['C: MAIL FROM:<alice@org.test> REQUIRETLS'] });
      const [w] = run.wire(link);
      // In clear only EHLO and STARTTLS crossed, and the plaintext EHLO reply did not list REQUIRETLS (RFC 8689 §2).
      expect({ verbs: w.commands.map((c) => c.verb), ehlo: w.ehlo.includes('REQUIRETLS'), data: w.plaintextData }).toEqual({ verbs: ['EHLO', 'STARTTLS'], ehlo: false, data: false });
    }
    const accepted = run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted');
    expect(accepted.map((e) => [e.hop, e.requireTls])).toEqual([['submission', true], ['relay', true], ['mailbox', true]]);
    expect(run.report.messages[0].endToEnd).toBe('encrypted-verified');
    expect(run.report.passed).toBe(true);
  });

  it('last hop lacks REQUIRETLS: the relay quits after the EHLO inside TLS, returns 5.7.30, and the DSN carries only headers', async () => {
    const run = await runFile('last-hop-lacks-requiretls-bounced');
    const [s] = run.sessions('relay->mailbox');
    const inside = insideTls(s);
    expect({ listed: listsRequireTls(inside), mail: mailFrom(inside), last: inside.at(-2) }, dialog(s)).toEqual({ listed: false, mail: [], last: 'C: QUIT' });
    expect(s.requireTls).toEqual({ advertised: false, sent: false });
    expect(run.wire('relay->mailbox').every((w) => w.plaintextMessageIds.length === 0)).toBe(true);
    expect(run.mailbox).toEqual([]);
    const [dsn] = run.dsns;
    expect({ hop: dsn.hop, to: dsn.to, code: dsn.reply.code, enhanced: dsn.reply.enhanced }).toEqual({ hop: 'relay', to: 'alice@org.test', code: 550, enhanced: '5.7.30' });
    expect(dsn.reply.text).toBe('550 5.7.30 REQUIRETLS support required: mailbox.mailhop.test did not offer REQUIRETLS after STARTTLS');
    expect(dsn.requireTls).toMatchObject({ returned: 'headers', sentWithRequireTls: false });
    expect(dsn.requireTls?.headers).toMatch(/^Subject: requiretls to a mailbox without it\r?$/m);
    expect(dsn.requireTls?.headers).not.toContain('Sent by mailhop.');
  });

  it('a gateway that takes the parameter without listing it and relays without it: reported as a leak on both links', async () => {
    const run = await runFile('examples/leaks/requiretls-messagelabs-gateway-drops-flag.yaml');
    const client = insideTls(run.sessions('client->gateway')[0]);
    // The application sends REQUIRETLS although the gateway did not list it; the gateway answers 250.
    expect({ listed: listsRequireTls(client), mail: mailFrom(client), reply: client[client.indexOf('C: MAIL FROM:<alice@org.test> REQUIRETLS') + 1] })
      .toEqual({ listed: false, mail: ['C: MAIL FROM:<alice@org.test> REQUIRETLS'], reply: 'S: 250 2.1.0 Accepted' });
    const onward = run.sessions('gateway->mailbox')[0];
    expect({ policy: onward.policy, mail: mailFrom(insideTls(onward)), verified: onward.tls?.verified }).toEqual({ policy: 'opportunistic', mail: ['C: MAIL FROM:<alice@org.test>'], verified: true });
    const accepted = run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted');
    expect(accepted.map((e) => [e.hop, e.requireTls])).toEqual([['gateway', undefined], ['mailbox', undefined]]);
    expect(run.report.messages[0].endToEnd).toBe('leak');
    expect(run.report.failures).toEqual([
      'm1 leaked on client->gateway: REQUIRETLS dropped: gateway took the message without the REQUIRETLS parameter, so no hop after it is bound to TLS',
      'm1 leaked on gateway->mailbox: REQUIRETLS message crossed gateway->mailbox as tls, not over TLS with a verified certificate (RFC 8689 §4.2.1)',
    ]);
  });

  it('offered in plaintext: MAIL FROM ... REQUIRETLS crosses in clear and is answered 555 5.5.4; no content crossed', async () => {
    const run = await runFile('offered-in-plaintext-refused');
    const [w] = run.wire('client->mailbox');
    expect(w.ehlo).not.toContain('REQUIRETLS');
    expect(w.commands.find((c) => c.verb === 'MAIL')?.arg).toBe('FROM:<alice@org.test> REQUIRETLS');
    expect(w.replies).toContain(REQUIRETLS_REFUSED);
    expect(w.plaintextData).toBe(false);
    const refused = run.events.filter((e): e is RefusedCommandEvent => e.kind === 'refused-command');
    expect(refused.map((e) => [e.hop, e.command, e.reply])).toEqual([['mailbox', 'MAIL FROM', REQUIRETLS_REFUSED]]);
    expect(run.report.messages[0]).toMatchObject({ outcome: 'rejected', endToEnd: 'held', stoppedAt: { hop: 'client', reply: { code: 555, enhanced: '5.5.4' } } });
  });

  it('TLS-Required: No across an expired certificate: the verifying relay goes opportunistic for it and delivers, no violation', async () => {
    const run = await runFile('tls-required-no-expired-certificate-delivered');
    const [s] = run.sessions('relay->mailbox');
    expect({ policy: s.policy, requiresTls: s.requiresTls, verified: s.tls?.verified, error: s.tls?.verifyError, result: s.result }).toEqual({
      policy: 'opportunistic', requiresTls: false, verified: false, error: 'CERT_HAS_EXPIRED', result: 'relayed',
    });
    expect(s.policyReason).toBe('TLS-Required: No (RFC 8689 §4.2.2): verify relaxed to opportunistic for this message');
    expect(mailFrom(insideTls(s))).toEqual(['C: MAIL FROM:<alice@org.test>']);
    expect(run.mailbox[0].raw.toString()).toMatch(/^TLS-Required: No\r?$/im);
    expect(run.report.messages[0].links.map((l) => l.leak)).toEqual([false, false]);
    expect(run.report.failures).toEqual([]);
  });

  it('both present: REQUIRETLS wins: m1 and m3 returned 5.7.10 with headers only, m2 delivered', async () => {
    const run = await runFile('requiretls-wins-over-tls-required-no');
    const policies = ['m1', 'm2', 'm3'].map((id) => run.sessions('relay->mailbox', id).map((s) => s.policy));
    expect(policies).toEqual([['verify'], ['opportunistic'], ['verify']]);
    expect(run.mailbox.map((m) => m.id)).toEqual(['m2']);
    const dsns = run.dsns.map((d) => ({ id: d.messageId, hop: d.hop, enhanced: d.reply.enhanced, text: d.reply.text, returned: d.requireTls?.returned }));
    const text = '550 5.7.10 REQUIRETLS: encryption needed: certificate-expired (CERT_HAS_EXPIRED)';
    expect(dsns.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'm1', hop: 'relay', enhanced: '5.7.10', text, returned: 'headers' },
      { id: 'm3', hop: 'relay', enhanced: '5.7.10', text, returned: 'headers' },
    ]);
    expect(run.dsns.find((d) => d.messageId === 'm3')?.requireTls?.headers).toMatch(/^TLS-Required: No\r?$/im);
    expect(run.report.passed).toBe(true);
  });
});
