/**
 * SMTP AUTH on the submission link, judged on the wire: mailhop's client authenticates (`submit: { auth, user, pass }`)
 * to a hop that takes AUTH after TLS or also before (`inbound.auth`); credentials the wire saw outside TLS are a
 * failure of their own ("credentials crossed in clear"), reported like a content leak, whatever `expect` says.
 */
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';

const message = { from: 'alice@org.test', to: ['bob@partner.test'] };

function scenario(extra: Partial<ScenarioInput>, relayAuth: 'after-tls' | 'always'): Scenario {
  return Scenario.parse({
    name: 'auth-on-submission', hops: [{ id: 'relay', inbound: { auth: relayAuth } }, { id: 'mailbox' }], messages: [message], ...extra,
  });
}

const wireOf = (events: ReturnType<Awaited<ReturnType<typeof startChain>>['events']>, link: string) =>
  events.flatMap((e) => (e.kind === 'wire' && e.link === link ? [e.record] : []));

describe('credentials on the submission link', () => {
  it('authenticates inside TLS: delivered, nothing in clear, the AUTH exchange hidden from the wire', async () => {
    await using chain = await startChain(scenario({ submit: { auth: 'plain', user: 'app', pass: 's3cret' } }, 'after-tls'));
    const report = await chain.run();
    expect([report.outcome, report.links[0].verdict, report.failures]).toEqual(['delivered', 'tls', []]);
    const [record] = wireOf(chain.events(), 'client->relay');
    expect(record.credentialsInClear).toBeUndefined();
    expect(record.commands.map((c) => c.verb)).toEqual(['EHLO', 'STARTTLS']);
    // The client's own transcript shows the exchange it had inside TLS.
    const session = chain.events().find((e) => e.kind === 'session' && e.link === 'client->relay');
    expect(session?.kind === 'session' && session.transcript.filter((l) => l.dir === 'S').map((l) => l.text).find((t) => t.startsWith('235'))).toBe('235 2.7.0 Authentication successful');
  });

  it('fails the run when an opportunistic client authenticates in clear after STARTTLS was stripped (AUTH offered before TLS)', async () => {
    await using chain = await startChain(scenario({
      submit: { auth: 'plain', user: 'app', pass: 's3cret' },
      links: [{ from: 'client', to: 'relay', fault: 'strip-starttls' }],
      expect: { outcome: 'delivered', links: { 'client->relay': 'stripped' } },
    }, 'always'));
    const report = await chain.run();
    expect(report.links[0].credentialsInClear).toEqual([{ link: 'client->relay', connection: 'client->relay#1', mechanism: 'PLAIN', what: 'password', user: 'app' }]);
    expect(report.failures).toEqual(['credentials crossed in clear on client->relay: AUTH PLAIN password of app on client->relay#1']);
    expect(report.links[0].notes).toContain('LEAK: credentials crossed in clear: AUTH PLAIN password of app on client->relay#1');
    expect(report.passed).toBe(false);
  });

  it('fails the run even when the hop refuses AUTH before TLS (538): the credentials crossed before the refusal', async () => {
    await using chain = await startChain(scenario({
      submit: { auth: 'plain', user: 'app', pass: 's3cret' },
      links: [{ from: 'client', to: 'relay', fault: 'strip-starttls' }],
    }, 'after-tls'));
    const report = await chain.run();
    const [record] = wireOf(chain.events(), 'client->relay');
    expect(record.replies.find((r) => r.startsWith('538'))).toBe('538 5.7.0 Error: Must issue a STARTTLS command first');
    expect(report.outcome).toBe('rejected');
    expect(report.failures).toEqual(['credentials crossed in clear on client->relay: AUTH PLAIN password of app on client->relay#1']);
  });

  it('a mandatory client holds the message and its password when STARTTLS is stripped', async () => {
    await using chain = await startChain(scenario({
      submit: { tls: 'mandatory', auth: 'login', user: 'app', pass: 's3cret', retry: ['5m'] },
      links: [{ from: 'client', to: 'relay', fault: 'strip-starttls' }],
      runFor: '10m',
    }, 'always'));
    const report = await chain.run();
    expect([report.outcome, report.endToEnd, report.links[0].verdict, report.failures]).toEqual(['deferred', 'held', 'refused', []]);
    expect(wireOf(chain.events(), 'client->relay').every((r) => !r.commands.some((c) => c.verb === 'AUTH'))).toBe(true);
  });

  it('sees an application (nodemailer, LOGIN, STARTTLS ignored) hand over its username and password in clear', async () => {
    await using chain = await startChain(Scenario.parse({ name: 'app-auth', submit: { sender: 'app' }, hops: [{ id: 'relay', inbound: { auth: 'always' } }, { id: 'mailbox' }] }));
    const { host, port } = chain.submission();
    const transport = nodemailer.createTransport({ host, port, ignoreTLS: true, auth: { user: 'app', pass: 's3cret' }, authMethod: 'LOGIN' });
    await transport.sendMail({ from: message.from, to: message.to, text: 'x' });
    const report = await chain.run();
    expect(report.failures).toEqual([
      'credentials crossed in clear on client->relay: AUTH LOGIN username of app on client->relay#1',
      'credentials crossed in clear on client->relay: AUTH LOGIN password of app on client->relay#1',
    ]);
    expect(report.messages[0].links[0].verdict).toBe('plain');
  });
});
