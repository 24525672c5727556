/**
 * A cap on how long one connection to a hop may live. smtp-server's idle timeout (`socketTimeout`) is
 * reset by every byte, so a client that sends one byte every 15 s stayed connected for ever, holding a
 * socket in the hop, two in the link proxy and one more in a front. The cap counts from the TCP accept
 * and nothing extends it.
 */
import type net from 'node:net';
import type { SMTPServer } from 'smtp-server';

/**
 * Ends every connection `server` accepts once it is `lifetimeMs` old: with
 * `421 4.4.2 <hostname> Error: session time limit exceeded` when smtp-server has a session for it (RFC 5321
 * §3.8: a server closing on its own says 421 first; smtp-server then closes, waiting at most 5 s for the
 * client's FIN), else (a TLS handshake of implicit TLS still running) by destroying the socket.
 * A message whose DATA was still arriving is not accepted. Call once, before `listen`.
 * @param lifetimeMs real time, ms
 */
export function capSessionLifetime(server: SMTPServer, lifetimeMs: number, hostname: string): void {
  server.server.on('connection', (socket: net.Socket) => {
    const timer = setTimeout(() => expire(server, socket, hostname), lifetimeMs);
    socket.once('close', () => clearTimeout(timer));
  });
}

function expire(server: SMTPServer, socket: net.Socket, hostname: string): void {
  // An SMTPConnection keeps the peer's address and port, also after STARTTLS replaced its socket.
  const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const connection = [...server.connections].find((c) => c.remotePort === socket.remotePort && c.remoteAddress === address);
  if (connection) connection.send(421, `${hostname} Error: session time limit exceeded`);
  else socket.destroy();
}
