/**
 * Waits until a freshly started MTA answers: a TCP connection that gets a `220` greeting
 * (RFC 5321 §4.3.1). Event-driven: a refused connection is retried when the engine writes a log
 * line or after a short back-off that doubles (5 ms to 100 ms); it gives up at once when the
 * process exits, and after `timeoutMs` in any case.
 */
import net from 'node:net';

export interface WaitForGreetingOptions {
  address: { host: string; port: number };
  timeoutMs: number;
  /** Resolves when the engine's process exits: waiting stops with an error. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Subscribes to "something happened" (a log line); returns the unsubscribe function. */
  onActivity?: (listener: () => void) => () => void;
}

/** Resolves with the greeting line. @throws Error on timeout, exit, or a greeting other than 220. */
export function waitForGreeting(options: WaitForGreetingOptions): Promise<string> {
  const { host, port } = options.address;
  return new Promise((resolve, reject) => {
    let done = false;
    let backoff = 5;
    let retryTimer: NodeJS.Timeout | undefined;
    let socket: net.Socket | undefined;
    const finish = (err: Error | null, greeting?: string) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(retryTimer);
      unsubscribe?.();
      socket?.destroy();
      if (err) reject(err);
      else resolve(greeting!);
    };
    const deadline = setTimeout(() => finish(new Error(`no 220 greeting from ${host}:${port} within ${options.timeoutMs} ms`)), options.timeoutMs);
    void options.exited.then((e) => finish(new Error(`the process exited (${e.signal ? `signal ${e.signal}` : `code ${e.code}`}) before ${host}:${port} answered`)));
    const retry = () => {
      if (done || socket) return;
      clearTimeout(retryTimer);
      attempt();
    };
    const unsubscribe = options.onActivity?.(retry);
    const attempt = () => {
      const s = net.connect({ host, port });
      socket = s;
      let text = '';
      s.setEncoding('latin1');
      s.on('data', (chunk: string) => {
        text += chunk;
        const end = text.indexOf('\n');
        if (end < 0) return;
        const line = text.slice(0, end).replace(/\r$/, '');
        // Leave politely so the engine does not log a lost connection.
        s.end('QUIT\r\n');
        if (/^220[ -]/.test(line)) finish(null, line);
        else finish(new Error(`${host}:${port} greeted with "${line}" instead of 220`));
      });
      s.on('error', () => {
        s.destroy();
        if (socket === s) socket = undefined;
        if (done) return;
        retryTimer = setTimeout(retry, backoff);
        backoff = Math.min(backoff * 2, 100);
      });
    };
    attempt();
  });
}
