/**
 * Nagle's algorithm (RFC 896) is off on every socket that carries SMTP in a chain: with it on, a command or
 * reply written while the previous one is unacknowledged waits for the peer's ACK, which Linux delays by up to
 * 40 ms. Each socket is looked at when it first writes; Node keeps the setting under its internal `kSetNoDelay`
 * symbol (set by `noDelay: true` on connect or listen, or by `setNoDelay()`), and has no public getter.
 */
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInline } from '../support/chain.js';

/** Whether Node has turned Nagle off on `socket`; false when the internal symbol is gone (then the test fails loudly). */
function nagleOff(socket: net.Socket): boolean {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  return key !== undefined && (socket as unknown as Record<symbol, unknown>)[key] === true;
}

/** A plain TCP socket (not a TLS socket over one: its bytes go out through the TCP socket below it). */
function isTcp(socket: net.Socket): boolean {
  return (socket as unknown as { _handle?: { constructor?: { name?: string } } })._handle?.constructor?.name === 'TCP';
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Nagle's algorithm", () => {
  it('is off on every TCP socket a chain opens or accepts: the senders, the link proxies, the hop servers and a front', async () => {
    const write = net.Socket.prototype.write;
    /** Each TCP socket that wrote, with whether Nagle was off when it first did, and its ends. */
    const seen = new Map<net.Socket, { off: boolean; ends: string }>();
    vi.spyOn(net.Socket.prototype, 'write').mockImplementation(function (this: net.Socket, ...args: Parameters<typeof write>) {
      if (isTcp(this) && !seen.has(this)) seen.set(this, { off: nagleOff(this), ends: `${this.localPort} -> ${this.remotePort}` });
      return write.apply(this, args);
    });

    // mx answers STARTTLS 454 from a front before its honest server (docs/behaviour.md#S-fake-454); relay goes on in plaintext.
    const run = await runInline({ hops: [{ id: 'relay', inbound: { starttls: 'offer' } }, { id: 'mx', inbound: { starttls: 'fake-454' } }] });

    expect(run.report.messages.map((m) => m.outcome)).toEqual(['delivered']);
    // Two links, each: sender, proxy (both sides), server; the front adds its client side and its inner connection.
    expect(seen.size).toBeGreaterThanOrEqual(10);
    expect([...seen.values()].filter((s) => !s.off).map((s) => s.ends)).toEqual([]);
  });
});
