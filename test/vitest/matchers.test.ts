import { describe, expect } from 'vitest';
import { chainTest } from '../../harness/vitest/index.js';

/** Queue ids and message sizes change from run to run; everything else in a failure message is stable. */
function normalise(text: string): string {
  return text.replace(/queued as [0-9A-F]{10}/g, 'queued as <queue-id>').replace(/\d+ bytes/g, '<n> bytes');
}

/** The failure message of an assertion that must fail. */
async function failureOf(assertion: Promise<unknown>): Promise<string> {
  try {
    await assertion;
  } catch (err) {
    return normalise((err as Error).message);
  }
  throw new Error('the assertion passed, but it should have failed');
}

describe('a strict preserve-inbound gateway that received plaintext (messagelabs-plaintext-inbound-not-upgraded)', () => {
  const test = chainTest('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml');

  test('the matchers that hold pass, on the chain and on its report', async ({ chain }) => {
    const report = await chain.run();
    await expect(chain).toBeDelivered();
    await expect(chain).toBeEncryptedOn('client->sendmail');
    // The gateway chose not to try STARTTLS (strict preserve-inbound, plaintext in): plain, not downgraded.
    await expect(chain).toHaveVerdict('sendmail->gateway', 'plain');
    await expect(chain).toHaveVerdict('gateway->mailbox', 'plain');
    await expect(chain).not.toDowngradeAt('gateway->mailbox');
    await expect(chain).not.toHoldTlsEndToEnd();
    await expect(chain).not.toBeHeldNeverInClear();
    await expect(report).toHaveVerdict('gateway->mailbox', 'plain');
    await expect(report).not.toBeEncryptedOn('gateway->mailbox');
  });

  test('toBeEncryptedOn names the link and the attempt, and quotes the transcript and the wire', async ({ chain }) => {
    await chain.run();
    expect(await failureOf(expect(chain).toBeEncryptedOn('gateway->mailbox'))).toBe(
      `expected gateway->mailbox to be encrypted (tls or tls-verified), but m1 was plain there

m1 on gateway->mailbox: plain (delivered in plaintext; STARTTLS was not tried (not offered, or the sender's policy chose plaintext))
  witnesses: sender saw plain, wire saw plain, receiver saw plain
  attempt 1: policy none · STARTTLS advertised, not used (preserve-inbound strict, the message arrived at gateway in plaintext) · content sent in clear · relayed: 250 2.6.0 Ok: queued as <queue-id>
  transcript of attempt 1 (gateway -> mailbox), as gateway saw it:
    S: 220 mailbox.mailhop.test ESMTP mailhop
    C: EHLO gateway.mailhop.test
    S: 250-mailbox.mailhop.test Nice to meet you, [127.0.0.1]
    S: 250-STARTTLS
    S: … 5 more EHLO lines
    C: MAIL FROM:<alice@org.test>
    S: 250 2.1.0 Accepted
    C: RCPT TO:<bob@partner.test>
    S: 250 2.1.5 Accepted
    C: DATA
    S: 354 End data with <CR><LF>.<CR><LF>
    C: [message content, <n> bytes]
    C: .
    S: 250 2.6.0 Ok: queued as <queue-id>
    C: QUIT
    S: 221 2.0.0 Bye
  wire gateway->mailbox#1: no TLS handshake; message content in clear (m1, <n> bytes)`,
    );
  });

  test('toHoldTlsEndToEnd points at the first link that was not TLS', async ({ chain }) => {
    await chain.run();
    const message = await failureOf(expect(chain).toHoldTlsEndToEnd());
    expect(message.split('\n').slice(0, 5)).toEqual([
      'expected TLS to hold end to end in messagelabs-plaintext-inbound-not-upgraded, but m1 was broken (delivered; first not tls or tls-verified on sendmail->gateway: plain)',
      '',
      "m1 on sendmail->gateway: plain (delivered in plaintext; STARTTLS was not tried (not offered, or the sender's policy chose plaintext))",
      '  witnesses: sender saw plain, wire saw plain, receiver saw plain',
      '  attempt 1: policy none · STARTTLS advertised, not used (tls: none) · content sent in clear · relayed: 250 2.6.0 Ok: queued as <queue-id>',
    ]);
  });

  test('negated matchers say what did hold', async ({ chain }) => {
    await chain.run();
    expect(await failureOf(expect(chain).not.toBeDelivered())).toBe(
      'expected the messages of messagelabs-plaintext-inbound-not-upgraded not to be delivered, but m1 was delivered (end to end: broken)',
    );
    const notPlain = await failureOf(expect(chain).not.toHaveVerdict('sendmail->gateway', 'plain'));
    expect(notPlain).toMatch(/^expected sendmail->gateway not to be plain, but m1 was plain there\n\nm1 on sendmail->gateway: plain/);
    expect(await failureOf(expect(chain).toBeHeldNeverInClear())).toMatch(
      /^expected every message of messagelabs-plaintext-inbound-not-upgraded to be held without ever crossing a link in clear, but m1 was delivered and crossed sendmail->gateway in clear \(end to end: broken\)\n/,
    );
  });

  test('a bare report has no trace: the message says so instead of quoting a transcript', async ({ chain }) => {
    const report = await chain.run();
    expect(await failureOf(expect(report).toBeEncryptedOn('gateway->mailbox'))).toBe(
      `expected gateway->mailbox to be encrypted (tls or tls-verified), but m1 was plain there

m1 on gateway->mailbox: plain (delivered in plaintext; STARTTLS was not tried (not offered, or the sender's policy chose plaintext))
  witnesses: sender saw plain, wire saw plain, receiver saw plain
  attempt 1: STARTTLS offered by mailbox; not used: preserve-inbound strict, the message arrived at gateway in plaintext
  (pass the StartedChain to expect() to see the SMTP transcript)`,
    );
  });

  test('an unknown link, a chain with no message, or a value that is not a run fail even under .not', async ({ chain }) => {
    await expect(expect(chain).not.toBeDelivered()).rejects.toMatchObject({
      code: 'EUSAGE',
      message: 'toBeDelivered: cannot judge an empty run: no message went through scenario messagelabs-plaintext-inbound-not-upgraded yet. Call chain.run() (or send()) first.',
    });
    await chain.run();
    await expect(expect(chain).not.toBeEncryptedOn('client->gateway')).rejects.toMatchObject({
      code: 'EUSAGE',
      link: 'client->gateway',
      message: 'toBeEncryptedOn: cannot judge link client->gateway: scenario messagelabs-plaintext-inbound-not-upgraded has no such link; its links are client->sendmail, sendmail->gateway, gateway->mailbox.',
    });
    // @ts-expect-error a number is not a run (the type test checks this too)
    await expect(expect(42).not.toBeDelivered()).rejects.toMatchObject({
      code: 'EUSAGE',
      message: 'toBeDelivered: cannot judge number: expect() needs a ScenarioReport or a StartedChain.',
    });
  });
});

describe('a relay that goes on in plaintext after 454 to STARTTLS (fake-454-opportunistic-continues-in-plaintext)', () => {
  const test = chainTest('scenarios/fake-454-opportunistic-continues-in-plaintext.yaml');

  test('STARTTLS was tried and refused: downgraded, and toHaveVerdict says the same', async ({ chain }) => {
    await chain.run();
    await expect(chain).toDowngradeAt('relay->mailbox');
    await expect(chain).toHaveVerdict('relay->mailbox', 'downgraded');
    await expect(chain).not.toHaveVerdict('relay->mailbox', 'plain');
    const message = await failureOf(expect(chain).toHaveVerdict('relay->mailbox', 'stripped'));
    expect(message).toMatch(/^expected relay->mailbox to be stripped \(delivered in plaintext because a fault on the link kept TLS from being used, not because of the servers\), but m1 was downgraded there\n/);
    expect(message).toContain('STARTTLS sent -> 454 4.7.0 TLS not available due to temporary reason');
  });

  test('a name that is not a link verdict is refused with the list of names', async ({ chain }) => {
    await chain.run();
    // @ts-expect-error 'clear' is not a link verdict (the type test checks this too)
    await expect(expect(chain).toHaveVerdict('relay->mailbox', 'clear')).rejects.toMatchObject({
      code: 'EUSAGE',
      message: 'toHaveVerdict: cannot judge by "clear": it is not a link verdict; expected one of tls-verified, tls, downgraded, plain, stripped, refused, none.',
    });
  });
});

describe('a mandatory relay facing a hop without STARTTLS (mandatory-to-hop-without-starttls-held)', () => {
  const test = chainTest('scenarios/mandatory-to-hop-without-starttls-held.yaml');

  test('held, never in clear', async ({ chain }) => {
    await chain.run();
    await expect(chain).toBeHeldNeverInClear();
    await expect(chain).not.toBeDelivered();
    await expect(chain).not.toDowngradeAt('relay->mailbox');
  });

  test('toBeDelivered shows where the message is held and why, collapsing repeated attempts', async ({ chain }) => {
    await chain.run();
    expect(await failureOf(expect(chain).toBeDelivered())).toBe(
      `expected every message of mandatory-to-hop-without-starttls-held to be delivered, but m1 was deferred at relay (450 4.7.4 TLS is required, but was not offered by host mailbox.mailhop.test)

m1 on relay->mailbox: refused (attempted, but policy, replies or a lost connection stopped the message before its content crossed)
  witnesses: sender saw plain, wire saw plain
  attempts 1–7: policy mandatory · STARTTLS not advertised · starttls-not-supported (STARTTLS not in the EHLO reply) · deferred: 450 4.7.4 TLS is required, but was not offered by host mailbox.mailhop.test
  transcript of attempt 7 (relay -> mailbox), as relay saw it:
    S: 220 mailbox.mailhop.test ESMTP mailhop
    C: EHLO relay.mailhop.test
    S: 250-mailbox.mailhop.test Nice to meet you, [127.0.0.1]
    S: … 5 more EHLO lines, no STARTTLS
    C: QUIT
    S: 221 2.0.0 Bye
  wire relay->mailbox#7: no TLS handshake`,
    );
  });
});

describe('a scenario given as an object', () => {
  const test = chainTest({
    name: 'inline-all-verify',
    submit: { tls: 'verify' },
    hops: [{ id: 'a', outbound: { tls: 'verify' } }, { id: 'b' }],
    messages: [
      { from: 'alice@org.test', to: ['bob@partner.test'] },
      { from: 'carol@org.test', to: ['dan@partner.test'] },
    ],
  });

  test('toHoldTlsEndToEnd({ verified: true }) holds for every message', async ({ chain }) => {
    await chain.run();
    await expect(chain).toHoldTlsEndToEnd({ verified: true });
    await expect(chain).toBeEncryptedOn('a->b');
    await expect(chain).toBeDelivered();
  });
});

describe('verified is stricter than encrypted (all-hops-offer-encrypted)', () => {
  const test = chainTest('scenarios/all-hops-offer-encrypted.yaml');

  test('encrypted end to end, but not verified', async ({ chain }) => {
    await chain.run();
    await expect(chain).toHoldTlsEndToEnd();
    expect(await failureOf(expect(chain).toHoldTlsEndToEnd({ verified: true }))).toMatch(
      /^expected TLS with verified certificates to hold end to end in all-hops-offer-encrypted, but m1 was encrypted \(delivered; first not tls-verified on client->sender: tls\)\n/,
    );
    expect(await failureOf(expect(chain).not.toHoldTlsEndToEnd())).toBe(
      'expected TLS not to hold end to end in all-hops-offer-encrypted, but m1 was encrypted',
    );
  });
});

describe('an on-path attacker strips STARTTLS (a link fault)', () => {
  const test = chainTest({
    name: 'strip-on-the-last-link',
    hops: [{ id: 'gateway' }, { id: 'mailbox' }],
    links: [{ from: 'gateway', to: 'mailbox', fault: 'strip-starttls' }],
    messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
  });

  test('the failure message shows what the fault did on the wire', async ({ chain }) => {
    await chain.run();
    const message = await failureOf(expect(chain).toBeEncryptedOn('gateway->mailbox'));
    expect(message).toMatch(/^expected gateway->mailbox to be encrypted \(tls or tls-verified\), but m1 was stripped there\n/);
    expect(message).toContain('S: … 5 more EHLO lines, no STARTTLS');
    expect(message).toContain('wire gateway->mailbox#1: no TLS handshake; message content in clear (m1, <n> bytes); fault strip-starttls: removed "250-STARTTLS" from the EHLO reply');
  });
});
