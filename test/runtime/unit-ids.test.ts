/**
 * Ids on hops in containers (start-unit.ts), without a container engine: the unit is started in this process
 * with its control lines in the test's hands. A compose hop (no chain) gives mail sent by hand `<hop>-<n>`; the
 * first believes no id, a later one only an id sealed with the file's key, once. Under a chain (`mailhop up
 * --runtime containers`) the hop asks the chain, and the link proxy tells which client a session came through.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startUnit, type UnitPlan } from '../../harness/runtime/start-unit.js';
import type { ChainLine, UnitLine } from '../../harness/runtime/control-line.js';
import { IdSeal } from '../../harness/chain/id-seal.js';
import { Inbound } from '../../harness/scenario/schema.js';
import { sendByHand } from '../support/dialog.js';

const inbound = Inbound.parse({});
const hopPlan = (extra: Partial<Extract<UnitPlan, { kind: 'hop' }>>): UnitPlan => ({
  kind: 'hop', hopId: 'gateway', hostname: 'gateway.mailhop.test', inbound, inboundLink: 'relay->gateway', host: '127.0.0.1', wallStart: 0, ...extra,
});

/** A unit's control lines: what it sent, and a way to answer it. */
function controlLines() {
  const sent: UnitLine[] = [];
  const listeners: Array<(line: ChainLine) => void> = [];
  const waiters: Array<() => void> = [];
  return {
    sent,
    send: (line: UnitLine) => {
      sent.push(line);
      for (const w of waiters.splice(0)) w();
    },
    incoming: { on: (fn: (line: ChainLine) => void) => void listeners.push(fn) },
    tell: (line: ChainLine) => listeners.forEach((l) => l(line)),
    /** Resolves with the first line sent (past or future) that `pick` returns a value for. */
    async next<T>(pick: (line: UnitLine) => T | undefined): Promise<T> {
      for (;;) {
        for (const line of sent) {
          const v = pick(line);
          if (v !== undefined) return v;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

const messageIds = (sent: UnitLine[]) => sent.flatMap((l) => ('message' in l ? [l.message.id] : []));

describe('a compose hop (no chain)', () => {
  it('the first hop believes no id: a hand-written X-Mailhop-Id gets gateway-<n>', async () => {
    const lines = controlLines();
    await using unit = await startUnit(hopPlan({ ids: { binding: 'none', key: randomBytes(32).toString('base64') } }), lines.send, lines.incoming, false);
    await sendByHand(unit.address.port, 'X-Mailhop-Id: relay-1\r\nSubject: by hand\r\n\r\nx');
    await sendByHand(unit.address.port, 'Subject: no id\r\n\r\ny');
    expect(messageIds(lines.sent)).toEqual(['gateway-1', 'gateway-2']);
  });

  it('a later hop believes an id sealed with the file\'s key once; no seal, a wrong key and a second copy get fresh ids', async () => {
    const key = randomBytes(32);
    const lines = controlLines();
    await using unit = await startUnit(hopPlan({ ids: { binding: 'sealed', key: key.toString('base64') } }), lines.send, lines.incoming, false);
    const sealed = `X-Mailhop-Id: relay-1\r\nX-Mailhop-Seal: ${new IdSeal(key).seal('relay-1')}\r\n`;
    await sendByHand(unit.address.port, `${sealed}Subject: relayed\r\n\r\nx`);
    await sendByHand(unit.address.port, `X-Mailhop-Id: relay-2\r\nSubject: forged\r\n\r\nx`);
    await sendByHand(unit.address.port, `X-Mailhop-Id: relay-2\r\nX-Mailhop-Seal: ${new IdSeal(randomBytes(32)).seal('relay-2')}\r\nSubject: other key\r\n\r\nx`);
    await sendByHand(unit.address.port, `${sealed}Subject: again\r\n\r\nx`);
    expect(messageIds(lines.sent)).toEqual(['relay-1', 'gateway-1', 'gateway-2', 'gateway-3']);
  });
});

describe('a hop and its link proxy under a chain (containers runtime)', () => {
  it('the hop asks the chain with the claim and its peer; the proxy names the client behind that peer; the answer is the id', async () => {
    const hopLines = controlLines();
    await using hop = await startUnit(hopPlan({ askIds: true, keyCert: undefined }), hopLines.send, hopLines.incoming, true);
    const proxyLines = controlLines();
    await using proxy = await startUnit(
      { kind: 'link', name: 'relay->gateway', host: '127.0.0.1', target: hop.address, faults: [], servername: 'gateway.mailhop.test' },
      proxyLines.send, proxyLines.incoming, true,
    );
    const sending = sendByHand(proxy.address.port, 'X-Mailhop-Id: m1\r\nSubject: claim\r\n\r\nx');
    const claim = await hopLines.next((l) => ('claim' in l ? l.claim : undefined));
    expect(claim.claim).toMatchObject({ id: 'm1', peer: { host: '127.0.0.1', port: expect.any(Number) } });

    // The chain asks the proxy which client that peer is (the hand-sender's socket), then answers the hop.
    proxyLines.tell({ clientOf: { n: 7, upstream: claim.claim.peer! } });
    const client = await proxyLines.next((l) => ('client' in l ? l.client : undefined));
    expect(client).toEqual({ n: 7, end: { host: '127.0.0.1', port: expect.any(Number) } });
    expect(client.end!.port).not.toBe(claim.claim.peer!.port);
    proxyLines.tell({ clientOf: { n: 8, upstream: { host: '127.0.0.1', port: 1 } } });
    expect(await proxyLines.next((l) => ('client' in l && l.client.n === 8 ? l.client : undefined))).toEqual({ n: 8 });

    hopLines.tell({ decision: { n: claim.n, decision: { believed: false, id: 'm2', seal: 'S' } } });
    expect((await sending).at(-2)).toMatch(/^250 /);
    const message = await hopLines.next((l) => ('message' in l ? l.message : undefined));
    expect(message.id).toBe('m2');
    expect(Buffer.from(message.raw, 'base64').toString('latin1')).toMatch(/^Received: [^]*\r\nX-Mailhop-Id: m2\r\nX-Mailhop-Seal: S\r\nX-Mailhop-Original-Id: m1\r\nSubject: claim\r\n/);
  });
});
