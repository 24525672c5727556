/**
 * A real Sendmail that requires TLS of its next hop and finds none sends QUIT, reads the 221 and then waits for
 * the server to close (RFC 5321 §4.1.1.10: the receiver closes after 221). Mock hops whose STARTTLS is answered by
 * a front (`none`, `fake-*`) never closed, so Sendmail sat in that session until the chain stopped: its wire record
 * was still open when the run ended, and the proxy closed it at stop.
 */
import { describe, expect, it } from 'vitest';
import { runInline } from '../support/chain.js';
import { availability, titled } from '../support/engine.js';

describe.skipIf(!availability('sendmail').usable)(titled('a real Sendmail with mandatory TLS before a mock hop that does not offer it', 'sendmail'), () => {
  it.each(['none', 'fake-454'] as const)('%s: Sendmail quits, the hop answers 221 and closes, and the session has ended by the end of the run', async (starttls) => {
    const run = await runInline({
      hops: [{ id: 'sm', engine: 'sendmail', outbound: { tls: 'mandatory' } }, { id: 'mx', inbound: { starttls } }],
    });
    expect(run.report.outcome).toBe('deferred');
    // Wire records are written when a connection closes: the first session is there, closed by the hop after its 221.
    const [first] = run.wire('sm->mx');
    expect(first, 'Sendmail\'s first session to mx was still open when the run ended').toBeDefined();
    expect({ verb: first.commands.map((c) => c.verb).at(-1), last: first.replies.at(-1), closedBy: first.closedBy })
      .toEqual({ verb: 'QUIT', last: '221 2.0.0 Bye', closedBy: 'server' });
    // Sendmail logs the deferral once the session is over.
    const deferred = run.events.filter((e) => e.kind === 'engine' && e.link === 'sm->mx' && e.fact === 'deferred');
    expect(deferred.length).toBeGreaterThan(0);
  }, 60_000);
});
