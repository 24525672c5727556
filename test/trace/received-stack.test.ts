// The Received headers of the copies hops store, in the trace (trace/received-stack.ts): each header is kept
// once, so a message through N hops costs N headers, not N(N+1)/2, while every copy still reads the whole
// stack a recipient at its hop would read, and serialises as it always did.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';
import { headerValues } from '../../harness/mta/received-header.js';
import type { AcceptedEvent } from '../../harness/trace/events.js';
import { heldHeaders } from '../../harness/trace/received-stack.js';
import { Trace } from '../../harness/trace/trace.js';
import { runInline } from '../support/chain.js';

const HOPS = 30;

describe('Received headers in the trace', () => {
  it(`are held once each: a message through ${HOPS} hops holds ${HOPS} headers, not ${(HOPS * (HOPS + 1)) / 2}, and each copy reads its whole stack`, async () => {
    const ids = Array.from({ length: HOPS }, (_, i) => `h${i + 1}`);
    const run = await runInline({ hops: ids.map((id) => ({ id, inbound: { starttls: 'offer' } })) });
    const copies = run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted');
    const stacks = copies.map((e) => e.received!.headers);

    expect(copies.map((e) => e.hop)).toEqual(ids);
    expect(copies.reduce((n, e) => n + heldHeaders(e.received!), 0)).toBe(HOPS);
    // Each copy: its hop's own header on top of the stack of the copy one hop before.
    for (const [i, stack] of stacks.entries()) {
      expect(stack).toHaveLength(i + 1);
      expect(stack[0]).toContain(`by ${ids[i]}.mailhop.test`);
      expect(stack.slice(1)).toEqual(stacks[i - 1] ?? []);
    }
    // The last one is what the recipient reads in the mailbox, and it serialises as a plain record does.
    const mailbox = headerValues(run.mailbox[0].raw, 'Received');
    expect(stacks.at(-1)).toEqual(mailbox);
    expect(JSON.stringify(copies.at(-1)!.received)).toBe(JSON.stringify({ headers: mailbox, hopNames: copies.at(-1)!.received!.hopNames }));
  });

  it("keeps a copy whole when what lies below its own header is not exactly the previous copy's stack, or that copy left the trace", () => {
    const trace = new Trace(new VirtualClock());
    const copy = (hop: string, headers: string[]) =>
      trace.emit({
        kind: 'accepted', source: 'receiver', link: `x->${hop}`, hop, messageId: 'm1', secure: true, tls: null, protocol: 'ESMTP', remotePort: 1,
        received: { headers, hopNames: [`${hop}.test`] },
      }) as AcceptedEvent;
    const a = copy('a', ['by a']);
    const b = copy('b', ['by b', 'by a']);
    // A header rewritten on the way (or forged, or written by a hop that records no copy): c holds its stack whole.
    const c = copy('c', ['by c', 'by b (rewritten)', 'by a']);
    const d = copy('d', ['by d', 'by c', 'by b (rewritten)', 'by a']);
    trace.drop(new Set([d]));
    const e = copy('e', ['by e', 'by d', 'by c', 'by b (rewritten)', 'by a']);

    expect([a, b, c, d, e].map((x) => heldHeaders(x.received!))).toEqual([1, 1, 3, 1, 5]);
    expect(d.received!.headers).toEqual(['by d', 'by c', 'by b (rewritten)', 'by a']);
    expect(b.received!.headers).toEqual(['by b', 'by a']);
    expect({ ...b.received }).toEqual({ headers: ['by b', 'by a'], hopNames: ['b.test'] });
  });
});
