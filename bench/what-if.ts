/**
 * Bench-only "what if" switches for the diagnosis in why-mailhop.ts. They patch mailhop from the
 * outside (nothing in harness/ changes) and are all off until a diagnosis turns them on:
 *
 * - `reuseSecureContext`: mailhop's SmtpClient passes `ca` to every `tls.connect`, which builds a
 *   new SSL_CTX per connection (Node.js `tls.connect` builds one from the options when no
 *   `secureContext` is given). This hands tls.connect one cached
 *   `secureContext` per CA/version set instead, the fix proposed for smtp-client.ts.
 * - `linkProxy`: `'mailhop'` (the real LinkProxy with its wire witness), `'pipe'` (a bare TCP
 *   pipe, same extra connection, no witness) or `'none'` (senders connect straight to the hop).
 * - step timers: real time per SmtpClient step (connect, greeting, each command, handshake).
 */
import tls from 'node:tls';
import { LinkProxy, type LinkProxyOptions, type StartedLinkProxy } from '../harness/link/link-proxy.js';
import { SmtpClient } from '../harness/mta/smtp-client.js';
import { now } from './stats.js';
import { startTcpPipe } from './tcp-pipe.js';

export const whatIf = { reuseSecureContext: false, linkProxy: 'mailhop' as 'mailhop' | 'pipe' | 'none' };

/** Sum of real ms per SmtpClient step, and how many sessions they came from. */
export const steps = { ms: new Map<string, number>(), sessions: 0 };
export function resetSteps(): void {
  steps.ms = new Map();
  steps.sessions = 0;
}

let installed = false;

export function installWhatIf(): void {
  if (installed) return;
  installed = true;

  const connect = tls.connect;
  const contexts = new Map<string, tls.SecureContext>();
  (tls as { connect: unknown }).connect = function patched(this: unknown, options: tls.ConnectionOptions, ...rest: unknown[]) {
    if (whatIf.reuseSecureContext && options?.ca && !options.secureContext) {
      const { ca, ciphers, minVersion, maxVersion } = options;
      const key = JSON.stringify([ca, ciphers, minVersion, maxVersion]);
      let ctx = contexts.get(key);
      if (!ctx) contexts.set(key, (ctx = tls.createSecureContext({ ca, ciphers, minVersion, maxVersion })));
      options = { ...options, secureContext: ctx };
    }
    return (connect as (...a: unknown[]) => tls.TLSSocket).call(this, options, ...rest);
  };

  const start = LinkProxy.start.bind(LinkProxy);
  (LinkProxy as { start: unknown }).start = (options: LinkProxyOptions): Promise<StartedLinkProxy> => {
    if (whatIf.linkProxy === 'mailhop') return start(options);
    if (whatIf.linkProxy === 'none') return Promise.resolve(fakeProxy(options.name, options.target, async () => {}));
    return startTcpPipe(options.target, options.host).then((pipe) => fakeProxy(options.name, pipe.address, () => pipe.stop()));
  };

  const proto = SmtpClient.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const time = (method: string, label: (self: SmtpClient, args: unknown[]) => string | null) => {
    const original = proto[method];
    proto[method] = async function timed(this: SmtpClient, ...args: unknown[]) {
      const name = label(this, args);
      const t = now();
      try {
        return await original.apply(this, args);
      } finally {
        if (name) steps.ms.set(name, (steps.ms.get(name) ?? 0) + now() - t);
      }
    };
  };
  time('readReply', (_c, args) => (args.length === 0 ? 'greeting' : null));
  time('command', (c, args) => {
    const verb = String(args[0]).split(/[ :]/)[0];
    return verb === 'EHLO' && c.secure ? 'EHLO after TLS' : verb;
  });
  time('startTls', () => 'TLS handshake');
  time('sendData', () => 'content -> 250');
  time('quit', () => 'QUIT (after the 250)');
  const clientConnect = SmtpClient.connect.bind(SmtpClient);
  (SmtpClient as { connect: unknown }).connect = async (options: Parameters<typeof SmtpClient.connect>[0]) => {
    steps.sessions++;
    const t = now();
    try {
      return await clientConnect(options);
    } finally {
      steps.ms.set('TCP connect', (steps.ms.get('TCP connect') ?? 0) + now() - t);
    }
  };
}

function fakeProxy(name: string, address: { host: string; port: number }, stop: () => Promise<void>): StartedLinkProxy {
  return { name, address, records: () => [], clientOf: () => undefined, stop, [Symbol.asyncDispose]: stop };
}
