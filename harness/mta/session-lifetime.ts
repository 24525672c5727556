/**
 * A cap on how long one SMTP session with a hop may live. smtp-server's idle timeout (`socketTimeout`) is
 * reset by every byte, so a client that sent one byte every 15 s stayed connected for ever, holding a
 * socket in the hop and two in the link proxy. The cap counts from the session's start and nothing
 * extends it.
 *
 * Kept per smtp-server session (its `onConnect` and `onClose` hooks), not per TCP socket: smtp-server
 * removes every listener of the socket it upgrades at STARTTLS, so a listener for the socket's close
 * would be lost and its timer would keep the process alive.
 */
import type { SMTPServer } from 'smtp-server';

/** The session timers of one smtp-server; see {@link SessionLifetimes.start}. */
export class SessionLifetimes {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #server: () => SMTPServer;
  readonly #lifetimeMs: number;
  readonly #hostname: string;

  /**
   * @param server the smtp-server whose sessions these are (a function: the hooks are built before it)
   * @param lifetimeMs real time, ms
   * @param hostname the hop's name, for the 421 reply
   */
  constructor(server: () => SMTPServer, lifetimeMs: number, hostname: string) {
    this.#server = server;
    this.#lifetimeMs = lifetimeMs;
    this.#hostname = hostname;
  }

  /**
   * From smtp-server's `onConnect`: once the session is `lifetimeMs` old it gets
   * `421 4.4.2 <hostname> Error: session time limit exceeded` (RFC 5321 §3.8: a server closing on its own
   * says 421 first) and smtp-server closes it, waiting at most 5 s for the client's FIN. A message whose
   * DATA was still arriving is not accepted.
   */
  start(sessionId: string): void {
    const timer = setTimeout(() => this.#expire(sessionId), this.#lifetimeMs);
    timer.unref(); // a cap never keeps the process alive; stop() closes every session anyway
    this.#timers.set(sessionId, timer);
  }

  /** From smtp-server's `onClose`. */
  end(sessionId: string): void {
    clearTimeout(this.#timers.get(sessionId));
    this.#timers.delete(sessionId);
  }

  #expire(sessionId: string): void {
    this.#timers.delete(sessionId);
    const connection = [...this.#server().connections].find((c) => c.id === sessionId);
    connection?.send(421, `${this.#hostname} Error: session time limit exceeded`);
  }
}
