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

describe('messages[].expect.dsn: the DSN a message was returned with', () => {
  // The relay enforces REQUIRETLS; the mailbox does not list it: m1 is returned 5.7.30 (RFC 8689 §5), its DSN cut to
  // the header section. m2, without REQUIRETLS, is delivered and gets no DSN.
  const scenario = {
    hops: [
      { id: 'relay', inbound: { requireTls: 'advertise' }, outbound: { tls: 'verify' } },
      { id: 'mailbox', inbound: { requireTls: 'none' } },
    ],
  };

  it('holds the status and the redaction of the DSN, and a message without one fails a dsn claim with "no DSN"', async () => {
    const run = await runInline({
      ...scenario,
      messages: [
        { from: 'alice@org.test', to: ['bob@partner.test'], requireTls: true, expect: { outcome: 'bounced', dsn: { status: '5.7.30', redacted: true } } },
        { from: 'alice@org.test', to: ['bob@partner.test'], expect: { outcome: 'delivered', dsn: { status: '5.7.30' } } },
      ],
    });
    expect(run.report.expectations.filter((e) => e.key.startsWith('dsn'))).toEqual([
      { key: 'dsn.status', messageId: 'm1', expected: '5.7.30', actual: '5.7.30', held: true },
      { key: 'dsn.redacted', messageId: 'm1', expected: 'true', actual: 'true', held: true },
      { key: 'dsn.status', messageId: 'm2', expected: '5.7.30', actual: 'no DSN', held: false },
    ]);
    expect(run.report.failures).toEqual(['expected m2 dsn.status 5.7.30, got no DSN']);
  });

  it('names the status the DSN really had', async () => {
    const run = await runInline({ ...scenario, messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], requireTls: true, expect: { dsn: { status: '5.7.10', redacted: false } } }] });
    expect(run.report.failures).toEqual(['expected m1 dsn.status 5.7.10, got 5.7.30', 'expected m1 dsn.redacted false, got true']);
  });

  it('refuses a status that is no enhanced status code, where it is written', () => {
    const text = ['name: x', 'hops: [{ id: mailbox }]', 'messages:', '  - from: a@b.test', '    to: [c@d.test]', '    expect: { dsn: { status: "550" } }'].join('\n');
    expect(() => loadScenarioText(text, 'x.yaml')).toThrow('x.yaml:6:30: messages[0].expect.dsn.status: must be an enhanced status code like 5.7.30 (RFC 3463)');
  });
});
