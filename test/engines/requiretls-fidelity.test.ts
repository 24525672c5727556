/**
 * What Debian 12's MTAs, which predate RFC 8689, answer to the REQUIRETLS MAIL parameter: none lists REQUIRETLS in
 * its EHLO reply, before or after STARTTLS, and each refuses the parameter it does not know (RFC 5321 §4.1.1.11),
 * each in its own words. None drops it silently. docs/behaviour.md#B-requiretls quotes these replies; a mock hop's
 * `inbound.requireTls: none` answers Postfix's and Sendmail's `555 5.5.4` (mta/requiretls-params.ts).
 */
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../harness/engines/start-engine.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Hop, type EngineHop } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { advertises } from '../../harness/mta/smtputf8.js';
import { availability, engineOptions, runScenario, titled } from '../support/engine.js';
import { cmd, dial, dialog } from '../support/dialog.js';

/**
 * Observed replies to `MAIL FROM:<alice@org.test> REQUIRETLS`, in plaintext and after STARTTLS (null: OpenSMTPD 6.8.0p2
 * cannot take TLS here, docs/engines.md, so only its plaintext answer is known).
 */
const OBSERVED: Record<RealEngineName, { plaintext: string; tls: string | null }> = {
  postfix: { plaintext: '555 5.5.4 Unsupported option: REQUIRETLS', tls: '555 5.5.4 Unsupported option: REQUIRETLS' },
  sendmail: { plaintext: '555 5.5.4 REQUIRETLS parameter unrecognized', tls: '555 5.5.4 REQUIRETLS parameter unrecognized' },
  exim: {
    plaintext: '501 <alice@org.test> REQUIRETLS: malformed address: REQUIRETLS may not follow <alice@org.test>',
    tls: '501 <alice@org.test> REQUIRETLS: malformed address: REQUIRETLS may not follow <alice@org.test>',
  },
  opensmtpd: { plaintext: '503 5.5.4 Invalid command arguments: Unsupported option REQUIRETLS', tls: null },
};

for (const engine of ['postfix', 'sendmail', 'exim', 'opensmtpd'] as const) {
  describe.skipIf(!availability(engine).usable)(titled(`a real ${engine} and the REQUIRETLS parameter`, engine), () => {
    it('never lists REQUIRETLS and refuses the parameter, in plaintext and over TLS', async () => {
      const pki = await RunPki.create();
      const id = `rt${engine.slice(0, 3)}`;
      const tlsCapable = OBSERVED[engine].tls !== null;
      const hop = Hop.parse({ id, engine, ...(tlsCapable ? {} : { inbound: { starttls: 'none' } }) }) as EngineHop;
      const started = await startEngine(await engineOptions(id, engine, undefined, { hop, keyCert: await pki.issue(`${id}.mailhop.test`, 'valid'), caCert: pki.ca.cert }));
      try {
        const client = await dial(started.address, pki, 10_000, `${id}.mailhop.test`);
        const ehlo = await cmd(client, 'EHLO client.mailhop.test', 250);
        const plaintext = await client.command('MAIL FROM:<alice@org.test> REQUIRETLS');
        let tls: string | null = null;
        let after = false;
        if (tlsCapable) {
          await cmd(client, 'STARTTLS', 220);
          await client.startTls();
          after = advertises(await cmd(client, 'EHLO client.mailhop.test', 250), 'REQUIRETLS');
          tls = (await client.command('MAIL FROM:<alice@org.test> REQUIRETLS')).text.trimEnd();
        }
        await client.quit();
        expect({ before: advertises(ehlo, 'REQUIRETLS'), after, plaintext: plaintext.text.trimEnd(), tls }, dialog(client))
          .toEqual({ before: false, after: false, ...OBSERVED[engine] });
      } finally {
        await started.stop();
      }
    }, 60_000);
  });
}

describe.skipIf(!availability('postfix').usable)(titled('a REQUIRETLS message and a real Postfix 3.7 in the chain', 'postfix'), () => {
  const hops = [{ id: 'pf', engine: 'postfix' as const }, { id: 'mailbox', inbound: { requireTls: 'advertise' as const } }];
  const message = { from: 'alice@org.test', to: ['bob@partner.test'], requireTls: true };

  it('a client enforcing REQUIRETLS sees Postfix not list it after STARTTLS and returns the message 5.7.30', async () => {
    const run = await runScenario({ submit: { tls: 'verify' }, hops, messages: [message] });
    expect(run.report.messages[0]).toMatchObject({ outcome: 'rejected', endToEnd: 'held', stoppedAt: { hop: 'client', reply: { enhanced: '5.7.30' } } });
  }, 60_000);

  it('a client at level opportunistic sends the message without the flag; Postfix relays it untagged: a leak', async () => {
    const run = await runScenario({ submit: { tls: 'verify', requireTls: 'opportunistic' }, hops, messages: [message] });
    const [m] = run.report.messages;
    expect({ outcome: m.outcome, endToEnd: m.endToEnd, why: m.links.map((l) => l.requireTlsLeak) }).toEqual({
      outcome: 'delivered', endToEnd: 'leak',
      why: ['REQUIRETLS dropped: pf took the message without the REQUIRETLS parameter, so no hop after it is bound to TLS', expect.any(String)],
    });
  }, 60_000);
});

for (const engine of ['postfix', 'sendmail', 'exim', 'opensmtpd'] as const) {
  describe.skipIf(!availability(engine).usable)(titled(`TLS-Required: No and a real ${engine} that verifies`, engine), () => {
    it('ignores the field: an expired certificate still stops the message (what its preset\'s requireTls: disabled says)', async () => {
      const run = await runScenario({
        hops: [{ id: 'relay', engine, outbound: { tls: 'verify' }, ...(engine === 'opensmtpd' ? { inbound: { starttls: 'none' as const } } : {}) }, { id: 'mailbox', inbound: { cert: 'expired' } }],
        messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], headers: { 'TLS-Required': 'No' } }],
      });
      const [m] = run.report.messages;
      expect({ outcome: m.outcome, onward: m.links[1].verdict }).toEqual({ outcome: 'deferred', onward: 'refused' });
    }, 60_000);
  });
}
