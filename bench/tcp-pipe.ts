/**
 * A bare TCP relay: what a link proxy costs as transport alone (one extra connection per
 * session, every byte copied once more), with no wire witness. Used by the what-if switches and
 * by the baseline's `linkPipes` variant.
 */
import net from 'node:net';

export interface TcpPipe {
  readonly address: { host: string; port: number };
  stop(): Promise<void>;
}

export async function startTcpPipe(target: { host: string; port: number }, host = '127.0.0.1'): Promise<TcpPipe> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ ...target, allowHalfOpen: true, noDelay: true });
    client.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (s === client ? upstream : client).destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    address: { host, port: (server.address() as net.AddressInfo).port },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
