/**
 * SMTP AUTH on the submission link, judged on the wire: mailhop's client authenticates (`submit: { auth, user, pass }`)
 * to a hop that takes AUTH after TLS or also before (`inbound.auth`); credentials the wire saw outside TLS are a
 * failure of their own ("credentials crossed in clear"), reported like a content leak, whatever `expect` says.
 */
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import readline from 'node:readline';
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

  it('sees credentials an application pipelined behind AUTH PLAIN, before the 334 asked for them (the hop takes them all the same)', async () => {
    await using chain = await startChain(Scenario.parse({ name: 'app-auth-pipelined', submit: { sender: 'app' }, hops: [{ id: 'relay', inbound: { auth: 'always' } }, { id: 'mailbox' }] }));
    const { host, port } = chain.submission();
    const socket = net.connect(port, host);
    const replies: string[] = [];
    let waiting: (() => void) | undefined;
    readline.createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => {
      if (/^\d{3} /.test(line)) replies.push(line);
      waiting?.();
    });
    let taken = 0;
    /** The next final reply line, as it comes. */
    const next = async () => {
      while (replies.length <= taken) await new Promise<void>((resolve) => (waiting = resolve));
      return replies[taken++];
    };
    await next();
    socket.write('EHLO app.example.test\r\n');
    await next();
    // RFC 4954 §4 has the client wait for the 334; this one does not.
    socket.write(`AUTH PLAIN\r\n${Buffer.from('\0app\0s3cret').toString('base64')}\r\n`);
    expect([await next(), await next()]).toEqual(['334 ', '235 2.7.0 Authentication successful']);
    socket.write('QUIT\r\n');
    expect(await next()).toMatch(/^221 /);
    socket.end();
    const report = await chain.run();
    expect(report.links[0].credentialsInClear).toEqual([{ link: 'client->relay', connection: 'client->relay#1', mechanism: 'PLAIN', what: 'password', user: 'app' }]);
    // The dialogue follows on after the exchange: QUIT is a command again.
    const [record] = wireOf(chain.events(), 'client->relay');
    expect(record.commands.map((c) => c.verb)).toEqual(['EHLO', 'AUTH', 'QUIT']);
    expect(report.passed).toBe(false);
  });
});
