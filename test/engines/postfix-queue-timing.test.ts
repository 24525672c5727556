// The queue timing in the main.cf mailhop writes for a Postfix hop, checked against two rules of
// Postfix 3.7's queue manager, modelled here in whole seconds as Postfix counts them (pure: nothing runs):
// - qmgr_active_feed() takes a deferred file once its time stamp is at most 1 s ahead; qmgr stamps it
//   `event_time() + delay`, delay = the message's age clamped to [minimal_backoff_time, maximal_backoff_time].
//   The smtp process reports the deferral before it unlocks the file, and a scan that finds the file
//   locked postpones it 60 s ("skipped, still being delivered"), past mailhop's 15 s wait. So the file
//   must not be due again within a second of its deferral, however late in a second that came.
// - smtp_connect.c falls back to plaintext after a failed handshake at level `may` only when the message
//   waited minimal_backoff_time before the attempt (active_arrival - incoming_arrival, whole seconds);
//   mailhop stops waiting after `settleAfterDeferrals` deferrals, so the fallback must come before that.
// On the old main.cf (minimal_backoff_time 1s) a deferred file was due again at once: under load the
// retry lost the race for the lock and the fidelity test saw `deferred` after 20 s.
import { describe, expect, it } from 'vitest';
import { postfix, postfixMainCf } from '../../harness/engines/postfix.js';
import { mtaPaths } from '../../harness/engines/mta-paths.js';
import { Hop } from '../../harness/scenario/schema.js';

/** minimal_backoff_time and maximal_backoff_time from a relay hop's main.cf, in seconds. */
function queueTiming(): { minBackoff: number; maxBackoff: number } {
  const text = postfixMainCf({ at: (...p: string[]) => `/run/${p.join('/')}` }, {
    hop: Hop.parse({ id: 'relay', engine: 'postfix' }),
    hostname: 'relay.mailhop.test',
    listen: { host: '127.88.0.1', port: 2525 },
    next: { host: '127.0.0.1', port: 2526 },
    keyCert: { key: '', cert: '' },
    caCert: '',
    paths: mtaPaths(),
  } as never, null);
  const seconds = (name: string) => {
    const m = new RegExp(`^${name} = (\\d+)s$`, 'm').exec(text);
    if (!m) throw new Error(`main.cf has no ${name} in seconds`);
    return Number(m[1]);
  };
  return { minBackoff: seconds('minimal_backoff_time'), maxBackoff: seconds('maximal_backoff_time') };
}

/** Whole seconds from a deferral at `at` (s, fractional) until qmgr may take the file again. */
function dueAgainAfter(at: number, arrivedAt: number, t: { minBackoff: number; maxBackoff: number }): number {
  const now = Math.floor(at);
  const delay = Math.min(Math.max(now - Math.floor(arrivedAt), t.minBackoff), t.maxBackoff);
  // Taken when stamp <= time(0) + 1, i.e. from the start of second `now + delay - 1`.
  return Math.max(0, now + delay - 1 - at);
}

/**
 * Attempts until level `may` falls back, with every attempt taking no time and every retry taken the
 * moment it is due (the worst case: waiting longer only makes the message older). Capped at 20.
 */
function attemptsUntilFallback(arrivedAt: number, t: { minBackoff: number; maxBackoff: number }): number {
  let active = arrivedAt;
  for (let attempt = 1; attempt <= 20; attempt++) {
    if (Math.floor(active) - Math.floor(arrivedAt) >= t.minBackoff) return attempt;
    active += dueAgainAfter(active, arrivedAt, t);
  }
  return Infinity;
}

describe('Postfix queue timing in the main.cf mailhop writes', () => {
  const timing = queueTiming();
  // Deferrals late and early in a second, on a message that arrived late or early in one.
  const instants = [0, 0.001, 0.5, 0.999];

  it('a deferred message is not due again within a second of its deferral (the smtp process still holds its lock)', () => {
    for (const arrived of instants) for (const deferred of [arrived, arrived + 0.4, ...instants.flatMap((f) => [1 + f, 7 + f])]) {
      expect(dueAgainAfter(deferred, arrived, timing), `arrived ${arrived}s, deferred ${deferred}s`).toBeGreaterThan(1);
    }
  });

  it('the plaintext fallback of level may comes before mailhop stops waiting for the message', () => {
    for (const arrived of instants) {
      const deferrals = attemptsUntilFallback(arrived, timing) - 1;
      expect(deferrals, `arrived ${arrived}s`).toBeLessThan(postfix.settleAfterDeferrals);
    }
  });
});
