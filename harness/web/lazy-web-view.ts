/**
 * The web view's entry points for the CLI and the package index, loading the server (h3, ~0.1 s to import)
 * only when a web view is started, so `mailhop run` and `import 'mailhop'` do not pay for it.
 */
import type { StartedChain } from '../chain/chain.js';
import type { StartedWebView, WebViewOptions } from './web-view.js';
import type { WebAddress } from './web-address.js';

/**
 * Serves the web view of a running chain on 127.0.0.1 (see web-view.ts for the routes).
 * @throws MailhopError `ELOOPBACK` for a host other than 127.0.0.1, `EBIND` for a port that cannot be listened on.
 * @example
 * await using chain = await startChain(scenario, { stampMissingId: true });
 * await using web = await startWebView(chain, { port: 0 });
 * await fetch(`${web.url}api/messages`); // [{ id: 'm1', status: 'delivered', links: [...], ... }]
 */
export async function startWebView(chain: StartedChain, options?: WebViewOptions): Promise<StartedWebView> {
  return (await import('./web-view.js')).startWebView(chain, options);
}

/** For `mailhop up --web`: starts the view once the chain runs, and says where it is. */
export function webAttachment(address: WebAddress): (chain: StartedChain, say: (line: string) => void, file: string) => Promise<StartedWebView> {
  return async (chain, say, file) => (await import('./web-view.js')).webAttachment(address)(chain, say, file);
}
