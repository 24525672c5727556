import { describe, expect, it } from 'vitest';
import { runInline, verbs, type InlineRun } from '../support/chain.js';
import type { PresetKey } from '../../harness/presets/index.js';

// Reply lines injected after the next hop's 220 to STARTTLS (docs/behaviour.md#A-inject-response), per preset, as
// observed with the real products: Postfix and Sendmail discard them; Exim 4.96 gives TLS up and reconnects in clear;
// OpenSMTPD 6.8 drops the connection and defers.

const LINK = 'relay->mailbox';

/** The relay under `preset` sends one message to the mailbox; the link injects two reply lines on the first attempt. */
function chain(preset: PresetKey): Promise<InlineRun> {
  return runInline({
    runFor: '1h',
    hops: [{ id: 'relay', preset }, { id: 'mailbox' }],
    links: [{ from: 'relay', to: 'mailbox', fault: 'inject-response', attempts: [1] }],
  });
}

/** Per connection of the first attempt: plaintext verbs and whether content crossed in clear. */
const firstAttemptWire = (run: InlineRun) =>
  run.wire(LINK).slice(0, run.sessions(LINK).filter((s) => s.attempt === 1).length).map((w) => [verbs(w).join(' '), w.plaintextData]);

describe('presets: reply lines injected after the 220 to STARTTLS', () => {
  for (const preset of ['postfix', 'sendmail'] as const) {
    it(`${preset}: discarded; the message goes over TLS on the same connection`, async () => {
      const run = await chain(preset);
      expect(firstAttemptWire(run)).toEqual([['EHLO STARTTLS', false]]);
      expect(run.sessions(LINK).map((s) => [s.result, s.tls?.version])).toEqual([['relayed', 'TLSv1.3']]);
      expect(run.report.links[1].verdict).toBe('tls');
    });
  }

  it('exim: "synch error before connect", the connection dropped, and the message delivered on a new one in clear: stripped', async () => {
    const run = await chain('exim');
    expect(firstAttemptWire(run)).toEqual([['EHLO STARTTLS', false], ['EHLO MAIL RCPT DATA QUIT', true]]);
    const [first] = run.sessions(LINK);
    expect(first).toMatchObject({ result: 'fallback', tlsFailure: { type: 'handshake-failure' } });
    expect(first.reply.text).toBe(
      '451 4.7.5 TLS session: synch error before connect: delivering unencrypted to H=mailbox.mailhop.test [127.0.0.1] (not in hosts_require_tls)',
    );
    expect(run.report.outcome).toBe('delivered');
    expect(run.report.links[1].verdict).toBe('stripped');
  });

  it('opensmtpd: "Remote host sent too much data", dropped before any ClientHello; deferred, no plaintext this attempt', async () => {
    const run = await chain('opensmtpd');
    expect(firstAttemptWire(run)).toEqual([['EHLO STARTTLS', false]]);
    expect(run.wire(LINK)[0]).toMatchObject({ handshake: 'none', closedBy: 'client' });
    const [first, retry] = run.sessions(LINK);
    expect(first).toMatchObject({ attempt: 1, result: 'deferred', reply: { code: 451, text: '451 Remote host sent too much data' } });
    // The retry, without the fault, goes over TLS.
    expect(retry).toMatchObject({ attempt: 2, result: 'relayed', tls: { version: 'TLSv1.3' } });
  });
});
