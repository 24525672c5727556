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

/** Tries of a fresh address when a fixed port is taken there. */
const FIXED_PORT_TRIES = 8;

/**
 * Listens on a fixed `port` (53 for the run's DNS server, 25 for an MX target's link proxy: a real engine's resolver
 * and smtp client take no other, engine-dns.ts) at a fresh loopback address in `127.<net>.0.0/16`, trying another
 * address when one is taken (a parallel run drew the same).
 * @throws the last bind error when every try failed, or the first error that is not `EADDRINUSE` (`EACCES`: not root).
 */
export async function listenOnFreshAddress<T>(net: number, port: number, listen: (host: string, port: number) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    const host = `127.${net}.${randomInt(0, 256)}.${randomInt(2, 255)}`;
    try {
      return await listen(host, port);
    } catch (err) {
      if (tries >= FIXED_PORT_TRIES || !addressInUse(err)) throw err;
    }
  }
}

/** The error (or the error it wraps, as MailhopError `EBIND` does) says the address is in use. */
function addressInUse(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return e?.code === 'EADDRINUSE' || e?.cause?.code === 'EADDRINUSE';
}
