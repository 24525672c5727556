/**
 * `mailhop explain` on a link a real engine sends on: the engine records no SMTP sessions for mailhop, so its
 * own log is its account, and the explanation tells it (the line that says how TLS went and what the engine
 * thought of the certificate), as it tells a mock sender's sessions.
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from '../../harness/scenario/schema.js';
import { startChain } from '../../harness/chain/chain.js';
import { renderExplanation } from '../../harness/report/explain-report.js';
import { availability, titled } from '../support/engine.js';

async function explained(input: object): Promise<string> {
  const scenario = Scenario.parse({ name: 'engine-explained', messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }], ...input });
  await using chain = await startChain(scenario);
  const report = await chain.run();
  expect(report.outcome).toBe('delivered');
  return renderExplanation(scenario, report, chain.events(), Infinity);
}

/** The paragraphs under one link's heading (`  pf → mailbox: tls`), up to the next link or the end to end line. */
function linkStory(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${heading}: `));
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start, end).join('\n');
}

describe.skipIf(!availability('postfix').usable)(titled('explain: a real Postfix relaying to a hop with an expired certificate', 'postfix'), () => {
  it("tells Postfix's own log: it established TLS with a certificate it did not trust, and relayed m1", async () => {
    const text = await explained({ hops: [{ id: 'pf', engine: 'postfix' }, { id: 'mailbox', inbound: { cert: 'expired' } }] });
    const story = linkStory(text, 'pf → mailbox');
    expect(story).toContain('pf → mailbox: tls');
    expect(story).not.toContain('never reached');
    // Postfix 3.7 logs the certificate's trust in the TLS line: "Untrusted" (smtp_tls_security_level = may checks nothing).
    expect(story).toMatch(/pf's log \(postfix\): TLS established \(TLSv1\.[23] with [A-Z0-9_-]+\): ".*Untrusted TLS connection established to [^"]+"/);
    expect(story).toMatch(/pf's log \(postfix\): relayed m1 \(250 [^)]*\): ".*status=sent/);
  }, 60_000);
});

describe.skipIf(!availability('sendmail').usable)(titled('explain: a real Sendmail relaying to a mock', 'sendmail'), () => {
  it("tells Sendmail's STARTTLS line (version, verify, cipher) on the link out of it", async () => {
    const text = await explained({ hops: [{ id: 'sendmail', engine: 'sendmail' }, { id: 'gateway' }, { id: 'mailbox' }] });
    const story = linkStory(text, 'sendmail → gateway');
    expect(story).toContain('sendmail → gateway: tls');
    expect(story).not.toContain('never reached');
    expect(story).toMatch(/sendmail's log \(sendmail\): TLS established \(TLSv1\.3 with TLS_AES_256_GCM_SHA384\): ".*STARTTLS=client, relay=\[127\.0\.0\.1\], version=TLSv1\.3, verify=\w+, cipher=TLS_AES_256_GCM_SHA384/);
  }, 60_000);
});
