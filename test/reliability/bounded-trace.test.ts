/**
 * `traceLimit`: a chain that keeps only its most recent trace events (soak runs) must still count
 * every message. Memory stays flat, yet a message lost or duplicated long before, whose events are
 * gone, still fails the report, and a clean run does not fail for the events it dropped.
 */
import dc from 'node:diagnostics_channel';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { LinkProxy } from '../../harness/link/link-proxy.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { LOOPBACK, sendStamped, startSmtpServer } from '../support/link.js';

const SCENARIO = Scenario.parse({
  name: 'bounded-trace',
  hops: [{ id: 'relay', outbound: { tls: 'none', retry: ['10m'] } }, { id: 'mx' }],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
});
const LIMIT = 40;

let unsubscribe: (() => void) | undefined;
afterEach(() => unsubscribe?.());

/** mx stores the first message it gets, then dies before its 250 leaves: the relay retries, mx gets it twice (RFC 1047). */
function duplicateFirstMessage(mxPort: () => number): void {
  let done = false;
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: net.Socket };
    if (done || socket.localPort !== mxPort()) return;
    done = true;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!/^250 .*queued as/m.test(String(chunk))) return write(chunk, ...rest);
      socket.destroy();
      return false;
    }) as typeof socket.write;
  };
  dc.subscribe('net.server.socket', onSocket);
  unsubscribe = () => dc.unsubscribe('net.server.socket', onSocket);
}

async function sendMany(chain: Awaited<ReturnType<typeof startChain>>, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    await Promise.all(Array.from({ length: 10 }, () => chain.send(SCENARIO.messages[0])));
    expect(await chain.settle()).toBe('done');
  }
}

describe('a chain with traceLimit', () => {
  it('keeps at most 2 × traceLimit events, and a clean run of 60 messages passes its accounting', async () => {
    await using chain = await startChain(SCENARIO, { traceLimit: LIMIT });
    // The hops' hop-started events are recorded as the chain starts, before anyone subscribes; the trace keeps them.
    let seen = chain.events().length;
    expect(chain.events().map((e) => e.kind)).toEqual(SCENARIO.hops.map(() => 'hop-started'));
    chain.subscribe(() => seen++);
    await sendMany(chain, 60);

    expect(chain.mailbox().length).toBe(60);
    expect(seen).toBeGreaterThan(60 * 8); // queued, sessions, wire records, accepted, delivered per message
    expect(chain.events().length).toBeLessThan(2 * LIMIT);
    expect(chain.events().at(-1)?.seq).toBe(seen); // numbering goes on across dropped events
    expect(chain.events().filter((e) => e.kind === 'hop-started')).toHaveLength(SCENARIO.hops.length); // never dropped
    expect(chain.report().failures).toEqual([]);
  });

  it('still fails a message duplicated long before, whose events were dropped', async () => {
    await using chain = await startChain(SCENARIO, { traceLimit: LIMIT });
    duplicateFirstMessage(() => chain.hops[1].server.port);
    await sendMany(chain, 60);

    expect(chain.mailbox().filter((m) => m.id === 'm1').length).toBe(2);
    expect(chain.events().some((e) => 'messageId' in e && e.messageId === 'm1')).toBe(false);
    expect(chain.report().failures).toEqual([
      'accounting: m1 was accepted 2 times by mx (duplicate)',
      'accounting: m1 ended 2 times at mx (delivered, delivered)',
      'accounting: m1 was delivered 2 times to mx',
    ]);
  });
});

describe('a link proxy with keepRecords', () => {
  it('reports every connection through onRecord but keeps only the most recent finished records', async () => {
    await using server = await startSmtpServer({});
    const seen: WireRecord[] = [];
    let recorded: (() => void) | undefined;
    let opened = 0;
    await using proxy = await LinkProxy.start({
      name: 'client->mx', target: { host: LOOPBACK, port: server.port }, keepRecords: 2,
      onOpen: () => opened++,
      onRecord: (record) => {
        seen.push(record);
        recorded?.();
      },
    });
    for (let i = 1; i <= 5; i++) {
      const closed = new Promise<void>((resolve) => (recorded = resolve));
      const sent = await sendStamped(proxy.address.port, `m${i}`, { ignoreTLS: true });
      expect(sent.error).toBeUndefined();
      await closed;
    }
    expect(opened).toBe(5);
    expect(seen.map((r) => r.plaintextMessageIds)).toEqual([['m1'], ['m2'], ['m3'], ['m4'], ['m5']]);
    expect(proxy.records().map((r) => r.plaintextMessageIds)).toEqual([['m4'], ['m5']]);
  });
});
