/**
 * The client-side fallback table (docs/behaviour.md#B-policies), pinned: for each outbound policy, what mailhop's
 * relay client does when an on-path fault (or the next hop's certificate) denies it TLS, judged
 * from what crossed the wire. Every case is a chain `client -> relay -> mx` whose `relay -> mx`
 * link carries the failure; `relay` runs the policy under test.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ScenarioInput } from '../../harness/scenario/schema.js';
import { runInline, type InlineRun } from '../support/chain.js';

// Chains are independent and mostly wait on sockets: run many at once.
vi.setConfig({ maxConcurrency: 16 });

const LINK = 'relay->mx';
/** Attempts at 0, 10m, 20m, 30m; at 30m (maxAge) the relay gives up and sends a DSN. */
const SCHEDULE = { retry: ['10m'], maxAge: '30m' };
const RUN_FOR = '45m';

const POLICIES = {
  none: { tls: 'none' },
  'opportunistic, fallback reconnect': { tls: 'opportunistic', fallback: 'reconnect' },
  'opportunistic, fallback next-attempt': { tls: 'opportunistic', fallback: 'next-attempt', fallbackAfter: '5m' },
  'opportunistic, fallback never': { tls: 'opportunistic', fallback: 'never' },
  'opportunistic, starttlsRejected defer': { tls: 'opportunistic', starttlsRejected: 'defer' },
  mandatory: { tls: 'mandatory' },
  verify: { tls: 'verify' },
  'preserve-inbound mandatory': { tls: 'preserve-inbound', preserve: 'mandatory' },
} as const;
type PolicyName = keyof typeof POLICIES;
const REQUIRES_TLS: PolicyName[] = ['mandatory', 'verify', 'preserve-inbound mandatory'];

/** How each failure is made: a fault on the link, or the certificate the next hop presents. */
const FAILURES = {
  'STARTTLS not advertised (strip-starttls)': { links: [{ fault: 'strip-starttls' }] },
  'STARTTLS masked (mask-starttls)': { links: [{ fault: 'mask-starttls' }] },
  'STARTTLS answered 454 (downgrade-454)': { links: [{ fault: 'downgrade-454' }] },
  'STARTTLS answered 5xx (tamper-220)': { links: [{ fault: 'tamper-220', reply: '554 5.7.0 TLS not available' }] },
  'handshake closed (kill-handshake)': { links: [{ fault: 'kill-handshake', how: 'close' }] },
  'handshake alert (kill-handshake)': { links: [{ fault: 'kill-handshake', how: 'alert' }] },
  'handshake garbage (kill-handshake)': { links: [{ fault: 'kill-handshake', how: 'garbage' }] },
  // The stalled handshake fails after this limit, on the virtual clock (the stall is mailhop's own, docs/behaviour.md#A-stall):
  // every connection it stalls moves the clock 2s. Only the handshake gets it, so other replies keep the default limit.
  'handshake stalled (stall)': { links: [{ fault: 'stall' }], starttlsTimeout: '2s' },
  'certificate self-signed': { cert: 'self-signed' },
  'certificate expired': { cert: 'expired' },
  'certificate for another host': { cert: 'wrong-host' },
  'certificate from an untrusted CA': { cert: 'untrusted-ca' },
  'attacker certificate (intercept)': { links: [{ fault: 'intercept' }] },
} as const;
type FailureName = keyof typeof FAILURES;

/**
 * What the relay does:
 * - `clear`: policy none: never sends STARTTLS, delivers in plaintext at once;
 * - `same`: plaintext on the same connection (nothing advertised, or `starttlsRejected: continue`);
 * - `reconnect`: a new plaintext connection right after the failed handshake (Exim);
 * - `next-attempt`: defers, and reconnects in plaintext on the attempt after `fallbackAfter` (Postfix);
 * - `tls`: delivered over TLS, certificate not enforced;
 * - `held <enhanced> <RFC 8460 type>`: deferred on every attempt with that code, never in clear, bounced at maxAge.
 */
type Behaviour = 'clear' | 'same' | 'reconnect' | 'next-attempt' | 'tls' | `held ${string} ${string}`;

const HELD_474 = 'held 4.7.4 starttls-not-supported';
const REFUSED_474 = 'held 4.7.4 starttls-rejected';
const BROKEN_475 = 'held 4.7.5 handshake-failure';
const held475 = (type: string): Behaviour => `held 4.7.5 ${type}`;

//                                                     none      reconnect     next-attempt     never        rejected defer      mandatory    verify                                  preserve mandatory
const TABLE: Record<FailureName, Behaviour[]> = {
  'STARTTLS not advertised (strip-starttls)':         ['clear', 'same',        'same',          'same',      'same',             HELD_474,    HELD_474,                               HELD_474],
  'STARTTLS masked (mask-starttls)':                  ['clear', 'same',        'same',          'same',      'same',             HELD_474,    HELD_474,                               HELD_474],
  'STARTTLS answered 454 (downgrade-454)':            ['clear', 'same',        'same',          'same',      'held 4.7.0 starttls-rejected', REFUSED_474, REFUSED_474,                REFUSED_474],
  'STARTTLS answered 5xx (tamper-220)':               ['clear', 'same',        'same',          'same',      'held 4.7.0 starttls-rejected', REFUSED_474, REFUSED_474,                REFUSED_474],
  'handshake closed (kill-handshake)':                ['clear', 'reconnect',   'next-attempt',  BROKEN_475,  'reconnect',        BROKEN_475,  BROKEN_475,                             BROKEN_475],
  'handshake alert (kill-handshake)':                 ['clear', 'reconnect',   'next-attempt',  BROKEN_475,  'reconnect',        BROKEN_475,  BROKEN_475,                             BROKEN_475],
  'handshake garbage (kill-handshake)':               ['clear', 'reconnect',   'next-attempt',  BROKEN_475,  'reconnect',        BROKEN_475,  BROKEN_475,                             BROKEN_475],
  'handshake stalled (stall)':                        ['clear', 'reconnect',   'next-attempt',  BROKEN_475,  'reconnect',        BROKEN_475,  BROKEN_475,                             BROKEN_475],
  'certificate self-signed':                          ['clear', 'tls',         'tls',           'tls',       'tls',              'tls',       held475('certificate-not-trusted'),     'tls'],
  'certificate expired':                              ['clear', 'tls',         'tls',           'tls',       'tls',              'tls',       held475('certificate-expired'),         'tls'],
  'certificate for another host':                     ['clear', 'tls',         'tls',           'tls',       'tls',              'tls',       held475('certificate-host-mismatch'),   'tls'],
  'certificate from an untrusted CA':                 ['clear', 'tls',         'tls',           'tls',       'tls',              'tls',       held475('certificate-not-trusted'),     'tls'],
  'attacker certificate (intercept)':                 ['clear', 'tls',         'tls',           'tls',       'tls',              'tls',       held475('certificate-not-trusted'),     'tls'],
};

const cases = (Object.keys(TABLE) as FailureName[]).flatMap((failure) =>
  (Object.keys(POLICIES) as PolicyName[]).map((policy, column) => ({ failure, policy, behaviour: TABLE[failure][column] })),
);

function scenarioFor(failure: FailureName, policy: PolicyName): Partial<ScenarioInput> {
  const how: { links?: readonly object[]; cert?: string; starttlsTimeout?: string } = FAILURES[failure];
  return {
    runFor: RUN_FOR,
    hops: [
      { id: 'relay', outbound: { ...POLICIES[policy], ...SCHEDULE, ...(how.starttlsTimeout && policy !== 'none' ? { starttlsTimeout: how.starttlsTimeout } : {}) } },
      { id: 'mx', inbound: { starttls: 'offer', cert: how.cert ?? 'valid' } },
    ] as ScenarioInput['hops'],
    links: (how.links ?? []).map((l) => ({ from: 'relay', to: 'mx', ...l })) as ScenarioInput['links'],
  };
}

/** `[attempt, connection, result]` of every session on the link. */
const steps = (run: InlineRun) => run.sessions(LINK).map((s) => [s.attempt, s.connection, s.result]);

function expectBehaviour(run: InlineRun, failure: FailureName, policy: PolicyName, behaviour: Behaviour): void {
  const sessions = run.sessions(LINK);
  // Virtual ms each stalled handshake took.
  const stallMs = failure.includes('(stall)') ? 2_000 : 0;
  const wire = run.wire(LINK);
  const link = run.report.links[1];
  const stripping = failure.includes('strip') || failure.includes('mask');
  // A leak is always a failure of the run, whatever the table says.
  expect(run.report.messages[0].links[1].leak).toBe(false);
  if (REQUIRES_TLS.includes(policy)) expect(wire.map((w) => w.plaintextData)).toEqual(wire.map(() => false));

  switch (behaviour) {
    case 'clear':
      expect(steps(run)).toEqual([[1, 1, 'relayed']]);
      expect(wire.map((w) => [w.starttlsSent, w.plaintextMessageIds])).toEqual([[false, ['m1']]]);
      // `plain` whatever the link did: policy none never tries STARTTLS, so nothing was downgraded or stripped.
      expect(link.verdict).toBe('plain');
      if (!stripping) expect(run.report.messages[0].links[1].notes).toContain('attempt 1: STARTTLS offered by mx; not used: tls: none');
      return;
    case 'same':
      expect(steps(run)).toEqual([[1, 1, 'relayed']]);
      expect(sessions[0].tls).toBeNull();
      expect(wire[0].plaintextMessageIds).toEqual(['m1']);
      expect(link.verdict).toBe('stripped');
      return;
    case 'reconnect':
      expect(steps(run)).toEqual([[1, 1, 'fallback'], [1, 2, 'relayed']]);
      expect(wire.map((w) => [w.handshake, w.starttlsSent, w.plaintextData])).toEqual([['failed', true, false], ['none', false, true]]);
      expect(run.mailbox[0].at).toBe(stallMs);
      expect(link.verdict).toBe('stripped');
      return;
    case 'next-attempt':
      expect(steps(run)).toEqual([[1, 1, 'deferred'], [2, 1, 'fallback'], [2, 2, 'relayed']]);
      expect(sessions[0].reply.enhanced).toBe('4.7.5');
      expect(wire.map((w) => w.plaintextData)).toEqual([false, false, true]);
      // Attempt 2 is due 10m after attempt 1 ended, and stalls too before the plaintext connection.
      expect(run.mailbox[0].at).toBe(600_000 + 2 * stallMs);
      expect(link.verdict).toBe('stripped');
      return;
    case 'tls':
      expect(steps(run)).toEqual([[1, 1, 'relayed']]);
      expect(sessions[0].tls).toMatchObject({ verified: false });
      expect(sessions[0].contentSent).toEqual({ encrypted: true });
      expect(wire[0]).toMatchObject({ handshake: 'established', plaintextData: false });
      expect(link.verdict).toBe('tls');
      if (failure.includes('intercept')) expect(link.disagreement).toMatch(/^the receiver saw a different TLS session from the sender's/);
      else expect(link.disagreement).toBeUndefined();
      return;
    default: {
      const [, enhanced, type] = behaviour.split(' ');
      // Every attempt deferred with the same reason, never a fallback, never in clear.
      expect(steps(run)).toEqual([1, 2, 3, 4].map((a) => [a, 1, 'deferred']));
      expect(sessions.map((s) => [s.reply.enhanced, s.tlsFailure?.type, s.contentSent])).toEqual(sessions.map(() => [enhanced, type, null]));
      expect(wire.map((w) => w.plaintextData)).toEqual([false, false, false, false]);
      expect(run.report.messages[0]).toMatchObject({ outcome: 'bounced', endToEnd: 'held', stoppedAt: { hop: 'relay', reply: { enhanced: '5.4.7' } } });
      expect(run.dsns).toEqual([expect.objectContaining({ messageId: 'm1', hop: 'relay', to: 'alice@org.test' })]);
      expect(link.verdict).toBe('refused');
    }
  }
}

describe('client fallback table: policy x failure (docs/behaviour.md#B-policies), judged on the wire', () => {
  it('covers every policy against every failure', () => {
    expect(cases).toHaveLength(Object.keys(POLICIES).length * Object.keys(FAILURES).length);
    for (const row of Object.values(TABLE)) expect(row).toHaveLength(Object.keys(POLICIES).length);
  });

  it.concurrent.each(cases)('$policy, $failure: $behaviour', async ({ failure, policy, behaviour }) => {
    const run = await runInline(scenarioFor(failure, policy));
    expectBehaviour(run, failure, policy, behaviour);
  });
});
