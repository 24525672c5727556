/**
 * A real engine's bounce, as a mock hop's: the next hop (inbound `require`) answers the engine's plaintext MAIL
 * with `530 5.7.0 Must issue a STARTTLS command first` (RFC 3207 §4); the engine gives up, and its `bounced` event
 * carries that reply, code, enhanced status code and text, as the mailbox answered it (not Sendmail's own `Service
 * unavailable`, not a made-up 554 for Exim). The DSN it sends to the envelope sender is in the chain's `dsns()`,
 * the same entry a mock hop in its place gives, when the bounce is logged (from the engine's log: the DSN itself
 * travels on to the next hop, where nothing of mailhop's reads it; docs/engines.md#dsns).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import type { BouncedEvent, RefusedCommandEvent } from '../../harness/trace/events.js';
import { runInline, type InlineRun } from '../support/chain.js';
import { availability, titled } from '../support/engine.js';

/** `relay` (a mock, or a real engine) sends without STARTTLS to a mailbox that requires it. */
function bounceScenario(relay: Record<string, unknown>): Partial<ScenarioInput> {
  return {
    name: 'engine-bounce',
    hops: [{ id: 'relay', ...relay, outbound: { tls: 'none' } }, { id: 'mailbox', inbound: { starttls: 'require' } }],
  } as Partial<ScenarioInput>;
}

/** The mailbox's reply to the relay's MAIL FROM, as it recorded answering it, in the shape events carry. */
function mailReplyOf(run: InlineRun): { code: number; enhanced?: string; text: string } {
  const refused = run.events.find((e): e is RefusedCommandEvent => e.kind === 'refused-command' && e.link === 'relay->mailbox' && e.command === 'MAIL FROM')!;
  const m = /^(\d{3}) (\d\.\d+\.\d+) /.exec(refused.reply)!;
  return { code: Number(m[1]), enhanced: m[2], text: refused.reply };
}

const bounces = (run: InlineRun) => run.events.filter((e): e is BouncedEvent => e.kind === 'bounced').map(({ hop, messageId, reply, dsnTo }) => ({ hop, messageId, reply, dsnTo }));
const dsns = (run: InlineRun) => run.dsns.map(({ at: _, ...dsn }) => dsn);

const ENGINES: ReadonlyArray<[RealEngineName, Record<string, unknown>]> = [
  ['postfix', {}],
  ['sendmail', {}],
  ['exim', {}],
  // Debian 12's OpenSMTPD takes inbound plaintext only (docs/engines.md#opensmtpd).
  ['opensmtpd', { inbound: { starttls: 'none' } }],
];

for (const [engine, inbound] of ENGINES) {
  describe.skipIf(!availability(engine).usable)(titled(`a real ${engine} that gets 530 from the next hop (inbound require) to its plaintext MAIL`, engine), () => {
    let mock: InlineRun;
    let real: InlineRun;
    beforeAll(async () => {
      [mock, real] = [await runInline(bounceScenario({})), await runInline(bounceScenario({ engine, ...inbound }))];
    }, 60_000);

    it('bounces with the reply the mailbox answered: its code, enhanced status code and text, as a mock hop does', () => {
      expect(real.report.outcome).toBe('bounced');
      const refused = mailReplyOf(real);
      expect(refused).toEqual({ code: 530, enhanced: '5.7.0', text: '530 5.7.0 Must issue a STARTTLS command first' });
      expect(bounces(real).map(({ dsnTo: _, ...b }) => b)).toEqual([{ hop: 'relay', messageId: 'm1', reply: refused }]);
      expect(bounces(real).map(({ dsnTo: _, ...b }) => b)).toEqual(bounces(mock).map(({ dsnTo: _, ...b }) => b));
      expect(real.report.messages[0].stoppedAt).toEqual({ hop: 'relay', reply: refused });
    });

    it("sends a DSN to the sender: dsns() holds it as a mock hop's", () => {
      const refused = mailReplyOf(real);
      expect(bounces(real).map((b) => b.dsnTo)).toEqual(['alice@org.test']);
      expect(dsns(real)).toEqual([{ messageId: 'm1', hop: 'relay', to: 'alice@org.test', reply: refused }]);
      expect(dsns(real)).toEqual(dsns(mock));
    });
  });
}
