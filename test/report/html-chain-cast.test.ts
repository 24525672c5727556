import { describe, expect, test } from 'vitest';
import { Scenario } from '../../harness/scenario/schema.js';
import type { HopStartedEvent } from '../../harness/trace/events.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { attackersOn, attackerTitle, hopFigures } from '../../harness/report/html-chain-cast.js';
import { runInline } from '../support/chain.js';

const scenario = Scenario.parse({
  name: 'every-kind',
  hops: [
    { id: 'mx', engine: 'exim' },
    { id: 'gw', preset: 'messagelabs' },
    { id: 'vendor', engine: 'external', host: '127.0.0.1', port: 2525 },
    { id: 'mailbox', port: 2526 },
  ],
  links: [
    // On a link a mock sends on: `attempts:` counts only what mailhop's own senders announce.
    { from: 'gw', to: 'vendor', fault: 'kill-handshake', attempts: [1] },
    { from: 'gw', to: 'vendor', fault: 'strip-starttls' },
  ],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
});

describe('hopFigures', () => {
  test('from the scenario: the client, a real engine, a mock with its preset, an external server, a plain mock', () => {
    expect([...hopFigures(['client', 'mx', 'gw', 'vendor', 'mailbox'], [], scenario)]).toEqual([
      ['client', { kind: 'client', label: 'mailhop client' }],
      ['mx', { kind: 'engine', engine: 'exim', label: 'real Exim' }],
      ['gw', { kind: 'mock', label: 'mock · messagelabs' }],
      ['vendor', { kind: 'external', label: 'external' }],
      ['mailbox', { kind: 'mock', label: 'mock' }],
    ]);
  });

  test('without the scenario (a run record that did not keep it), from the hop-started events in the trace', () => {
    const started = (hop: string, hopKind: HopStartedEvent['hopKind'], engine?: RealEngineName): HopStartedEvent => ({
      kind: 'hop-started', source: 'chain', seq: 1, at: 0, link: `prev->${hop}`, hop, hopKind, ...(engine ? { engine } : {}), outboundLink: `${hop}->next`, address: { host: '127.0.0.1', port: 25 }, line: 'started',
    });
    const figures = hopFigures(['client', 'mx', 'vendor', 'mailbox'], [started('mx', 'engine', 'postfix'), started('vendor', 'external'), started('mailbox', 'mock')]);
    expect([...figures.values()].map((f) => f.label)).toEqual(['mailhop client', 'real Postfix', 'external', 'mock']);
  });
});

describe('attackersOn', () => {
  test('the faults the scenario puts on a link, in scenario order, each saying whether it acted', () => {
    expect(attackersOn('gw->vendor', [], scenario)).toEqual([
      { fault: 'kill-handshake', acted: false, attempts: [1] },
      { fault: 'strip-starttls', acted: false },
    ]);
    expect(attackersOn('mx->gw', [], scenario)).toEqual([]);
    expect(attackerTitle('gw->vendor', attackersOn('gw->vendor', [], scenario))).toBe(
      'on-path attacker on gw->vendor: kill-handshake (attempts 1): did not act in this run; strip-starttls: did not act in this run',
    );
  });

  test('a fault the wire recorded acting, with or without the scenario', async () => {
    const run = await runInline({ hops: [{ id: 'relay' }, { id: 'mailbox' }], links: [{ from: 'relay', to: 'mailbox', fault: 'strip-starttls' }] });
    expect(attackersOn('relay->mailbox', run.events)).toEqual([{ fault: 'strip-starttls', acted: true }]);
    expect(attackersOn('client->relay', run.events)).toEqual([]);
  });
});
