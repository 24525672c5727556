import { describe, expect, test } from 'vitest';
import { loadScenarioFile, Scenario, startChain } from '../../harness/index.js';
import { renderExplanation, wrap } from '../../harness/report/explain-report.js';

/** Runs a bundled scenario and explains it, one paragraph per line. */
async function explain(name: string): Promise<string> {
  const { scenario, file } = await loadScenarioFile(`scenarios/${name}.yaml`);
  await using chain = await startChain(scenario, { file });
  const report = await chain.run();
  return renderExplanation(scenario, report, chain.events(), Infinity).replace(/queued as [0-9A-F]{10}/g, 'queued as <id>');
}

describe('renderExplanation', () => {
  test('preserve-inbound: plaintext in, so no STARTTLS out although the next hop supports it', async () => {
    const text = await explain('messagelabs-plaintext-inbound-not-upgraded');
    expect(text).toContain(
      'gateway received m1 in plaintext, so under strict preserve-inbound its policy for this message was none: it does not send STARTTLS at all. mailbox advertised STARTTLS, but gateway did not use it (preserve-inbound strict, the message arrived at gateway in plaintext): plaintext by the sender\'s choice, not a downgrade. The message crossed in plaintext and mailbox accepted it (250 2.6.0 Ok: queued as <id>).',
    );
    expect(text).toContain('gateway → mailbox: plain');
    expect(text).toContain("So: plain, delivered in plaintext; STARTTLS was not tried (not offered, or the sender's policy chose plaintext).");
    expect(text).toContain('End to end: broken, the content crossed at least one link in clear.');
    expect(text).toContain('✔ gateway->mailbox: expected plain, got plain');
  });

  test('Postfix: a failed handshake, a deferral, then plaintext on the next attempt', async () => {
    const text = await explain('postfix-plaintext-after-five-minutes');
    expect(text).toContain('Attempt 1: relay relayed m1 to mailbox under its opportunistic policy');
    expect(text).toContain('TLS was not achieved: the TLS handshake failed (handshake-failure).');
    expect(text).toMatch(/relay deferred it \(451 4\.7\.5 Cannot start TLS: [^)]+\)\); next attempt at \+5m \(virtual time\)\./);
    expect(text).toContain('Attempt 2, connection 2 (at +5m): After the failed handshake, relay connected again without STARTTLS (fallback: next-attempt, allowed once the message is 5m old)');
  });

  test('Boundary Encryption: the enforce list, not the inbound leg, made TLS mandatory', async () => {
    const text = await explain('boundary-encryption-enforce');
    expect(text).toContain('gateway received m1 in plaintext, but a recipient\'s domain is on its enforce list (partner.test), so TLS was mandatory for it whatever the inbound leg did (Boundary Encryption).');
  });

  test('identical retries are told once, with their times', async () => {
    const text = await explain('mandatory-to-hop-without-starttls-held');
    expect(text).toContain('Attempts 1–7 (at +0, +5m, +15m, +25m, +35m, +45m, +55m) went the same way: relay relayed m1 to mailbox under its mandatory policy: TLS is required, but any certificate is accepted. mailbox did not advertise STARTTLS.');
    expect(text).toContain('End to end: held, not delivered, and never in clear on any link. Outcome: deferred, still queued when the run ended (at relay: 450 4.7.4');
  });

  test('a link fault is told where it acted, between the sender and the receiver', async () => {
    const scenario = Scenario.parse({
      name: 'strip-on-the-last-link',
      hops: [{ id: 'gateway' }, { id: 'mailbox' }],
      links: [{ from: 'gateway', to: 'mailbox', fault: 'strip-starttls' }],
      messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
    });
    await using chain = await startChain(scenario);
    const text = renderExplanation(scenario, await chain.run(), chain.events(), Infinity);
    expect(text).toContain('gateway → mailbox: stripped');
    expect(text).toContain('gateway saw no STARTTLS in mailbox\'s EHLO reply, although mailbox advertised it: the strip-starttls fault on the link hid it. On the link between gateway and mailbox, the strip-starttls fault acted: removed "250-STARTTLS" from the EHLO reply.');
    expect(text).toContain('So: stripped, delivered in plaintext because a fault on the link kept TLS from being used, not because of the servers.');
  });

  test('a fault that acts twice on one session is told in one sentence, each action once', async () => {
    const text = await explain('link-454-downgrades-postfix-may');
    expect(text).toContain('On the link between postfix and mailbox, the downgrade-454 fault acted: sent NOOP to the server instead of STARTTLS; answered STARTTLS with "454 4.7.0 TLS not available due to temporary reason" in place of the server\'s reply to its NOOP.');
    expect(text.split('On the link between postfix and mailbox').length - 1).toBe(1);
  });

  test('wrap keeps words whole and indents every line', () => {
    expect(wrap('aaa bbb ccc ddd', '  ', 9)).toEqual(['  aaa bbb', '  ccc ddd']);
  });
});
