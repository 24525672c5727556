/**
 * A relay's `outbound.requireTls` level with a message submitted with REQUIRETLS (RFC 8689 §4.2.1, after Postfix 3.11's
 * smtp_requiretls_policy), seen on the relay->mailbox link: what the relay's MAIL FROM carried (its transcript inside
 * TLS, the wire record in clear), what it did when TLS or REQUIRETLS was missing, and how the promise was judged.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import type { SessionEvent } from '../../harness/trace/events.js';
import { runInline } from '../support/chain.js';
import { dialog } from '../support/dialog.js';

type Hops = NonNullable<ScenarioInput['hops']>;

/** client -> relay (which takes REQUIRETLS) -> mailbox, one REQUIRETLS message (or as `message` says). */
function chain(relayOutbound: object, mailboxInbound: object, message: object = { requireTls: true }) {
  return runInline({
    hops: [
      { id: 'relay', inbound: { requireTls: 'advertise' }, outbound: relayOutbound },
      { id: 'mailbox', inbound: mailboxInbound },
    ] as Hops,
    messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], ...message }],
  });
}

const mailLine = (s: SessionEvent) => s.transcript.find((l) => l.dir === 'C' && l.text.startsWith('MAIL FROM:'))?.text;

describe('outbound.requireTls with a REQUIRETLS message', () => {
  it('enforce (absent) on a tls: none relay: STARTTLS and a verified certificate all the same, REQUIRETLS sent', async () => {
    const run = await chain({ tls: 'none' }, { requireTls: 'advertise' });
    const [s] = run.sessions('relay->mailbox');
    expect({ policy: s.policy, starttls: s.starttlsSent, verified: s.tls?.verified, mail: mailLine(s) }, dialog(s)).toEqual({
      policy: 'verify', starttls: true, verified: true, mail: 'MAIL FROM:<alice@org.test> REQUIRETLS',
    });
    expect(run.report.messages[0].endToEnd).toBe('encrypted-verified');
  });

  it('enforce: a mailbox without STARTTLS returns the message 5.7.10 at once, no retry, nothing in clear', async () => {
    const run = await chain({ tls: 'opportunistic' }, { starttls: 'none', requireTls: 'advertise' });
    const sessions = run.sessions('relay->mailbox');
    expect(sessions).toHaveLength(1);
    expect(run.wire('relay->mailbox')[0].commands.map((c) => c.verb)).toEqual(['EHLO', 'QUIT']);
    expect(run.dsns.map((d) => d.reply.text)).toEqual(['550 5.7.10 REQUIRETLS: encryption needed: starttls-not-supported (STARTTLS not in the EHLO reply)']);
    expect(run.report.messages[0]).toMatchObject({ outcome: 'bounced', endToEnd: 'held' });
  });

  it('opportunistic+starttls: TLS required, REQUIRETLS not listed: sent without it over TLS, judged a leak (the flag dropped)', async () => {
    const run = await chain({ tls: 'opportunistic', requireTls: 'opportunistic+starttls' }, { requireTls: 'none' });
    const [s] = run.sessions('relay->mailbox');
    expect({ policy: s.policy, requireTls: s.requireTls, mail: mailLine(s) }, dialog(s)).toEqual({
      policy: 'mandatory', requireTls: { advertised: false, sent: false }, mail: 'MAIL FROM:<alice@org.test>',
    });
    expect(run.report.messages[0]).toMatchObject({ outcome: 'delivered', endToEnd: 'leak' });
  });

  it('opportunistic: a mailbox without STARTTLS gets the message in clear, without REQUIRETLS, and it is a leak', async () => {
    const run = await chain({ tls: 'opportunistic', requireTls: 'opportunistic' }, { starttls: 'none' });
    const [w] = run.wire('relay->mailbox');
    expect(w.commands.find((c) => c.verb === 'MAIL')?.arg).toBe('FROM:<alice@org.test>');
    expect(w.plaintextMessageIds).toEqual(['m1']);
    const link = run.report.messages[0].links[1];
    expect({ verdict: link.verdict, leak: link.leak, why: link.requireTlsLeak }).toEqual({
      verdict: 'plain', leak: true, why: 'REQUIRETLS message crossed relay->mailbox as plain, not over TLS with a verified certificate (RFC 8689 §4.2.1)',
    });
    expect(run.report.messages[0].endToEnd).toBe('leak');
  });

  it('disabled: never sends REQUIRETLS, even to a mailbox that lists it; the flag is dropped there', async () => {
    const run = await chain({ tls: 'verify', requireTls: 'disabled' }, { requireTls: 'advertise' });
    const [s] = run.sessions('relay->mailbox');
    expect({ listed: s.transcript.some((l) => l.text === '250-REQUIRETLS'), mail: mailLine(s), requireTls: s.requireTls }, dialog(s)).toEqual({
      listed: true, mail: 'MAIL FROM:<alice@org.test>', requireTls: undefined,
    });
    expect(run.report.messages[0].links[1].requireTlsLeak).toBe('REQUIRETLS dropped: mailbox took the message without the REQUIRETLS parameter, so no hop after it is bound to TLS');
  });

  it('disabled: TLS-Required: No is not honoured: verify still refuses an expired certificate and defers', async () => {
    const run = await chain({ tls: 'verify', requireTls: 'disabled' }, { cert: 'expired' }, { headers: { 'TLS-Required': 'No' } });
    const [s] = run.sessions('relay->mailbox');
    expect({ policy: s.policy, failure: s.tlsFailure?.type, result: s.result }).toEqual({ policy: 'verify', failure: 'certificate-expired', result: 'deferred' });
    expect(run.report.messages[0].outcome).toBe('deferred');
  });
});
