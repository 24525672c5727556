import { describe, expect } from 'vitest';
import { chainTest, forMessages } from '../../harness/vitest/index.js';

/** The failure message of an assertion that must fail. */
async function failureOf(assertion: Promise<unknown>): Promise<string> {
  try {
    await assertion;
  } catch (err) {
    return (err as Error).message.replace(/queued as [0-9A-F]{10}/g, 'queued as <queue-id>');
  }
  throw new Error('the assertion passed, but it should have failed');
}

describe('toBeDeferredAt and toBeBouncedAt (where a message stopped)', () => {
  const held = chainTest('scenarios/mandatory-to-hop-without-starttls-held.yaml');
  const bounced = chainTest('scenarios/mandatory-bounces-at-max-age.yaml');

  held('a mandatory relay still holds the message: deferred at relay, not bounced, not elsewhere', async ({ chain }) => {
    await chain.run();
    await expect(chain).toBeDeferredAt('relay');
    await expect(chain).not.toBeBouncedAt('relay');
    const elsewhere = await failureOf(expect(chain).toBeDeferredAt('sender'));
    expect(elsewhere.split('\n\n')[0]).toBe(
      'expected every message of mandatory-to-hop-without-starttls-held to be deferred at sender (still queued when the run ended), but m1 was deferred at relay (450 4.7.4 TLS is required, but was not offered by host mailbox.mailhop.test)',
    );
    expect(elsewhere).toContain('m1 on relay->mailbox: refused');
    expect(elsewhere).toContain('S: … 5 more EHLO lines, no STARTTLS');
    await expect(expect(chain).toBeDeferredAt('gateway')).rejects.toMatchObject({
      code: 'EUSAGE',
      hop: 'gateway',
      message: 'toBeDeferredAt: cannot judge hop gateway: scenario mandatory-to-hop-without-starttls-held has no such hop; its hops are sender, relay, mailbox.',
    });
  });

  bounced('at its queue lifetime the relay bounces with a DSN', async ({ chain }) => {
    await chain.run();
    await expect(chain).toBeBouncedAt('relay');
    expect((await failureOf(expect(chain).toBeDeferredAt('relay'))).split('\n')[0]).toMatch(
      /^expected every message of mandatory-bounces-at-max-age to be deferred at relay \(still queued when the run ended\), but m1 was bounced at relay \(\S+ 5\.4\.7 /,
    );
  });
});

describe('toBeBelievedOn (what the Received headers make a recipient believe)', () => {
  const enull = chainTest('scenarios/enull-cipher-says-esmtps-but-is-not-encrypted.yaml');

  enull('an eNULL session written ESMTPS: believed TLS, crossed in clear', async ({ chain }) => {
    await chain.run();
    await expect(chain).toBeBelievedOn('relay->mailbox', 'tls');
    await expect(chain).toHaveVerdict('relay->mailbox', 'downgraded');
    const message = await failureOf(expect(chain).toBeBelievedOn('relay->mailbox', 'plain'));
    expect(message).toMatch(
      /^expected a recipient to believe relay->mailbox was plain from the Received headers, but:\n\nm1 on relay->mailbox: the headers say TLS \(with ESMTPS, TLSv1\.2 TLS_ECDHE_ECDSA_WITH_NULL_SHA\); the wire: in clear \(downgraded\)\n  header: Received: from relay\.mailhop\.test /,
    );
  });
});

describe('forMessages: a matcher on some of the messages', () => {
  const test = chainTest({
    name: 'boundary-list-splits-messages',
    submit: { tls: 'none' },
    hops: [{ id: 'gateway', outbound: { tls: 'preserve-inbound', preserve: 'strict', enforce: ['partner.test'] } }, { id: 'mailbox' }],
    messages: [
      { from: 'alice@org.test', to: ['bob@partner.test'] },
      { from: 'alice@org.test', to: ['carol@other.test'] },
    ],
  });

  test('the listed domain gets TLS, the other is sent plain by the gateway\'s choice', async ({ chain }) => {
    await chain.run();
    await expect(forMessages(chain, 'm1')).toHaveVerdict('gateway->mailbox', 'tls');
    await expect(forMessages(chain, 'm2')).toHaveVerdict('gateway->mailbox', 'plain');
    await expect(forMessages(chain, 'm1', 'm2')).toBeDelivered();
    // The whole run is mixed on that link, so neither claim holds for every message.
    await expect(chain).not.toHaveVerdict('gateway->mailbox', 'tls');
    await expect(chain).not.toHaveVerdict('gateway->mailbox', 'plain');
    await expect(expect(forMessages(chain, 'm3')).toBeDelivered()).rejects.toMatchObject({
      code: 'EUSAGE',
      message: 'toBeDelivered: cannot select message m3: scenario boundary-list-splits-messages has no such message; its messages are m1, m2.',
    });
    expect(() => forMessages(chain)).toThrow('forMessages: cannot select no message: it names none. Name at least one message id, e.g. forMessages(chain, "m1").');
  });
});
