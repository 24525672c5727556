/**
 * Ports on 127.0.0.1 for tests: one nothing listens on, and a run of consecutive free ones for tests of fixed
 * "send to" ports (`--port-base`), chosen below Linux's ephemeral range (32768-60999) so that the chain's own
 * servers, on ephemeral ports, cannot take them.
 */
import net from 'node:net';
import { randomInt } from 'node:crypto';

/** A loopback port nothing listens on: bind one, then free it. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Listens on every port of `ports`; resolves to the servers, or null (all closed again) when one is taken. */
async function holdAll(ports: number[]): Promise<net.Server[] | null> {
  const servers = ports.map(() => net.createServer());
  const results = await Promise.allSettled(servers.map((s, i) => new Promise<void>((resolve, reject) => s.once('error', reject).listen(ports[i], '127.0.0.1', resolve))));
  if (results.every((r) => r.status === 'fulfilled')) return servers;
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(null)))));
  return null;
}

/** The first of `n` consecutive ports that were all free a moment ago. */
export async function freePortRun(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = randomInt(20_000, 32_000 - n);
    const held = await holdAll(Array.from({ length: n }, (_, i) => base + i));
    if (!held) continue;
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    return base;
  }
  throw new Error('no run of free ports found');
}
