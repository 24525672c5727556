/**
 * What a TLS handshake costs, full against resumed (docs/behaviour.md#B-resumption): a Node client and server in this
 * process, over loopback, one handshake at a time, as mailhop's hops do them. Each handshake offers the session the
 * server issued on the one before (resumed) or none (full); both kinds alternate in rounds, so a change in machine
 * load hits both alike. CPU is the process's (client and server together), per handshake.
 */
import net from 'node:net';
import tls from 'node:tls';
import { RunPki } from '../harness/pki/run-pki.js';

/** Per kind of handshake: CPU per handshake (user+system, client and server), ms; wall per handshake, ms. */
export interface HandshakeCost {
  full: { cpuMs: number; wallMs: number };
  resumed: { cpuMs: number; wallMs: number };
  /** Handshakes of each kind measured. */
  count: number;
  /** Handshakes meant to resume that did (all of them, unless the server declined). */
  resumedCount: number;
}

/** Runs `perKind` handshakes of each kind over `rounds` alternating rounds (after a few to warm up). */
export async function measureHandshakes(perKind: number, rounds: number): Promise<HandshakeCost> {
  const pki = await RunPki.create();
  const leaf = await pki.issue('mx.mailhop.test', 'valid');
  const context = tls.createSecureContext({ key: leaf.key, cert: leaf.cert });
  const server = net.createServer((socket) => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
    secure.on('error', () => {});
    secure.on('data', () => secure.end('221 bye\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const clientContext = tls.createSecureContext({ ca: [pki.ca.cert] });
  let session: Buffer | undefined;
  let resumedCount = 0;
  const once = async (resume: boolean): Promise<void> => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'mx.mailhop.test', secureContext: clientContext, ...(resume && session ? { session } : {}) });
    socket.on('session', (s: Buffer) => (session = s));
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    if (resume && socket.isSessionReused()) resumedCount++;
    socket.write('QUIT\r\n');
    // The reply comes after the TLS 1.3 tickets: the session for the next handshake is in hand by then.
    await new Promise((resolve) => socket.on('data', () => {}).once('close', resolve));
  };
  const totals = { full: { cpu: 0, wall: 0 }, resumed: { cpu: 0, wall: 0 } };
  try {
    for (let i = 0; i < 10; i++) await once(i % 2 === 1);
    resumedCount = 0;
    const per = Math.ceil(perKind / rounds);
    for (let round = 0; round < rounds; round++) {
      for (const kind of ['full', 'resumed'] as const) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < per; i++) await once(kind === 'resumed');
        const cpu = process.cpuUsage(cpu0);
        totals[kind].wall += performance.now() - t0;
        totals[kind].cpu += (cpu.user + cpu.system) / 1000;
      }
    }
    const n = per * rounds;
    return { full: { cpuMs: totals.full.cpu / n, wallMs: totals.full.wall / n }, resumed: { cpuMs: totals.resumed.cpu / n, wallMs: totals.resumed.wall / n }, count: n, resumedCount };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
