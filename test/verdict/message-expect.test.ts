import { describe, expect, it } from 'vitest';
import { runInline } from '../support/chain.js';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';

// A Boundary Encryption gateway: mail for the listed domain must go over TLS, other mail goes as it came (plain).
const hops = [{ id: 'gateway', outbound: { tls: 'preserve-inbound', preserve: 'strict', enforce: ['partner.test'] } }, { id: 'mailbox' }];

describe('messages[].expect: a message\'s own claims over the scenario\'s', () => {
  it('each message is held to its own claim; the scenario-wide claim covers the others', async () => {
    const run = await runInline({
      submit: { tls: 'none' },
      hops,
      messages: [
        { from: 'alice@org.test', to: ['bob@partner.test'], expect: { links: { 'gateway->mailbox': 'tls' } } },
        { from: 'alice@org.test', to: ['carol@other.test'] },
      ],
      expect: { outcome: 'delivered', links: { 'gateway->mailbox': 'plain' } },
    });
    expect(run.report.passed).toBe(true);
    expect(run.report.expectations).toEqual([
      { key: 'outcome', expected: 'delivered', actual: 'delivered', held: true },
      { key: 'gateway->mailbox', expected: 'plain', actual: 'plain', held: true },
      { key: 'gateway->mailbox', messageId: 'm1', expected: 'tls', actual: 'tls', held: true },
    ]);
  });

  it('a message that breaks its own claim fails the scenario, naming the message', async () => {
    const run = await runInline({
      submit: { tls: 'none' },
      hops,
      messages: [
        { from: 'alice@org.test', to: ['bob@partner.test'] },
        { from: 'alice@org.test', to: ['carol@other.test'], expect: { links: { 'gateway->mailbox': 'tls' }, endToEnd: 'encrypted' } },
      ],
    });
    expect(run.report.passed).toBe(false);
    expect(run.report.failures).toEqual(['expected m2 gateway->mailbox tls, got plain', 'expected m2 endToEnd encrypted, got broken']);
  });

  it('a message claim naming a link the chain does not have is a located error', () => {
    const text = [
      'name: x',
      'hops: [{ id: gateway }, { id: mailbox }]',
      'messages:',
      '  - from: a@b.test',
      '    to: [c@d.test]',
      '    expect: { links: { "gateway->relay": tls } }',
    ].join('\n');
    expect(() => loadScenarioText(text, 'x.yaml')).toThrow('x.yaml:6:24: messages[0].expect.links["gateway->relay"]: no such link "gateway->relay"; the links are client->gateway, gateway->mailbox');
  });
});
