import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { Scenario } from '../../harness/scenario/schema.js';
import { startChain } from '../../harness/chain/chain.js';

/** True when something accepts connections on the address. */
async function listening(address: { host: string; port: number }): Promise<boolean> {
  const socket = net.connect(address.port, address.host);
  try {
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([e]) => Promise.reject(e))]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

// A chain whose start fails half-way (a link proxy's port is taken) must stop what it already
// started: the caller gets the error, not a process that never exits with ports still listening.
describe('a chain that fails to start', () => {
  it('frees every port it had opened before the failure', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as net.AddressInfo).port;
    const opened: Array<{ host: string; port: number }> = [];
    const realListen = net.Server.prototype.listen;
    // Record every address the chain listens on, to check them after the failure.
    const spy = function (this: net.Server, ...args: unknown[]) {
      this.once('listening', () => {
        const a = this.address();
        if (a && typeof a === 'object' && a.port !== taken) opened.push({ host: a.address, port: a.port });
      });
      return (realListen as (...a: unknown[]) => net.Server).apply(this, args);
    };
    net.Server.prototype.listen = spy as typeof realListen;
    try {
      const scenario = Scenario.parse({
        name: 'port-clash',
        // The mailbox's link proxy listens where the external gateway delivers: a port already taken.
        hops: [{ id: 'relay' }, { id: 'gw', engine: 'external', host: '127.0.0.1', port: 9 }, { id: 'mailbox', port: taken }],
        messages: [{ from: 'a@org.test', to: ['b@partner.test'] }],
      });
      await expect(startChain(scenario)).rejects.toThrow(/EADDRINUSE|could not/);
    } finally {
      net.Server.prototype.listen = realListen;
      blocker.close();
    }
    expect(opened.length).toBeGreaterThan(0);
    for (const address of opened) expect(await listening(address), `${address.host}:${address.port}`).toBe(false);
  });
});
