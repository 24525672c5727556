/**
 * smtp-server 3.21.x holds every 220 greeting for a fixed 100 ms ("detect early talkers",
 * `SMTPConnection.init -> setTimeout(connectionReady, 100)`), not configurable. On a chain that
 * opens a fresh connection per hop per message this pause dominates latency (README, Speed: 330 ms
 * at p50 over three STARTTLS hops with it, 16 ms without), so mailhop replaces `init` with a copy that waits
 * for the per-server option `greetingDelayMs` instead (a scenario's `inbound.greetingDelay`).
 *
 * This touches smtp-server's private API, which is why the package is pinned exactly and
 * test/mta/greeting-delay.test.ts fails when the upstream `init` changes shape.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { MailhopError } from '../errors.js';

/** The upstream body this patch replaces, compacted; the guard test compares against it. */
export const UPSTREAM_INIT_FINGERPRINT = 'setTimeout(() => this.connectionReady(), 100)';

interface PatchableConnection {
  _server: { options: { greetingDelayMs?: number; maxClients?: number }; connections: Set<unknown> };
  name: string;
  _setListeners(cb: () => void): void;
  connectionReady(): void;
  send(code: number, text: string, keepOpen?: boolean): void;
}

let patched = false;

/**
 * Installs the patch once per process (idempotent). Servers created without `greetingDelayMs`
 * keep the upstream 100 ms.
 * @throws MailhopError `EINTERNAL` if smtp-server's `init` no longer looks like the version this was written for.
 */
export function installGreetingDelayPatch(): void {
  if (patched) return;
  const proto = (SMTPConnection as unknown as { prototype: { init: () => void } }).prototype;
  if (!proto.init.toString().includes(UPSTREAM_INIT_FINGERPRINT)) {
    throw MailhopError.of('EINTERNAL', { where: 'greeting delay', what: 'patch smtp-server', why: 'SMTPConnection.init changed upstream', hint: 'Review harness/mta/greeting-delay.ts against the installed smtp-server.' });
  }
  proto.init = function init(this: PatchableConnection) {
    this._setListeners(() => {
      const options = this._server.options;
      if (options.maxClients && this._server.connections.size > options.maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      const delay = options.greetingDelayMs ?? 100;
      if (delay <= 0) return void setImmediate(() => this.connectionReady());
      setTimeout(() => this.connectionReady(), delay).unref();
    });
  };
  patched = true;
}
