/**
 * Addresses for the engines mailhop starts: each gets its own 127.x.y.z (all of 127.0.0.0/8 is
 * loopback on Linux), which keeps their logs apart and their ports from colliding with the mocks'.
 */
import net from 'node:net';
import { randomInt } from 'node:crypto';

/** True for an IPv4 address in 127.0.0.0/8. */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A port nothing listens on at `host` right now (the kernel's choice for port 0). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh loopback address in 127.88.0.0/16 and a free port on it. */
export async function pickEngineAddress(): Promise<{ host: string; port: number }> {
  const host = `127.88.${randomInt(0, 256)}.${randomInt(2, 255)}`;
  return { host, port: await freePort(host) };
}
