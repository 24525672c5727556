/**
 * `mailhop up --web`: a page and a read-only JSON API over a running chain, on 127.0.0.1 only.
 *
 * The server is h3 (v2): maintained by the UnJS team (it serves Nuxt's Nitro), small (h3, rou3 and srvx:
 * three packages, about 1 MB, nothing else), built on the fetch Request/Response types Node 20 has, with
 * server-sent events included, and it asks for Node >= 20.19 as mailhop does. Fastify depends on 15 packages
 * directly; Polka's stable line is still 0.5, its 1.0 only a pre-release (`next`). The page needs no
 * framework: one script that renders JSON with `textContent` and listens to the server-sent events.
 *
 * Routes: `GET /` (the page), `/api/links`, `/api/messages`, `/api/messages/:id`, `/api/dsns`, and
 * `/api/events` (server-sent events, live-events.ts). Only requests naming the view's own host (`Host:
 * 127.0.0.1:<port>` or `localhost:<port>`) are answered, so a web page elsewhere cannot read the API
 * through DNS rebinding; no CORS headers are sent, and the page's Content-Security-Policy allows only its
 * own script.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { H3, HTTPError, getRouterParam } from 'h3';
import { toNodeHandler } from 'h3/node';
import { listenFailure, MailhopError } from '../errors.js';
import type { StartedChain } from '../chain/chain.js';
import { LiveView } from './live-view.js';
import { LiveEvents } from './live-events.js';
import { assertWebHost, DEFAULT_WEB_PORT, type WebAddress } from './web-address.js';
import { renderWebPage, WEB_PAGE_CSP, WEB_STYLE } from './web-page.js';
import { WEB_SCRIPT } from './web-script.js';

/** Options of {@link startWebView}. */
export interface WebViewOptions {
  /** Must be 127.0.0.1 (the default); anything else is refused. */
  host?: string;
  /** Default 8025; 0 for any free port. */
  port?: number;
  /** The scenario file, shown on the page. */
  file?: string;
}

/** A running web view. Stop it (or dispose it) before the chain. */
export interface StartedWebView extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly address: { host: string; port: number };
  /** The message's verdicts are final (the chain settled after it was delivered, bounced or held). */
  settled(messageId: string): void;
  stop(): Promise<void>;
}

const typed = (type: string, body: string) => new Response(body, { headers: { 'content-type': type } });

function app(chain: StartedChain, view: LiveView, live: LiveEvents, allowedHosts: () => readonly string[]): H3 {
  const h3 = new H3();
  h3.use((event) => {
    for (const headers of [event.res.headers, event.res.errHeaders]) {
      headers.set('x-content-type-options', 'nosniff');
      headers.set('referrer-policy', 'no-referrer');
      headers.set('cache-control', 'no-store');
    }
    const host = event.req.headers.get('host') ?? '';
    if (!allowedHosts().includes(host)) {
      throw new HTTPError({ status: 403, message: `this web view answers only to ${allowedHosts()[0]} (Host: ${host.slice(0, 100)} refused)` });
    }
  });
  h3.get('/', () => {
    const page = typed('text/html; charset=utf-8', renderWebPage(view.snapshot()));
    page.headers.set('content-security-policy', WEB_PAGE_CSP);
    return page;
  });
  h3.get('/app.js', () => typed('text/javascript; charset=utf-8', WEB_SCRIPT));
  h3.get('/style.css', () => typed('text/css; charset=utf-8', WEB_STYLE));
  h3.get('/api/links', () => view.snapshot().chain);
  h3.get('/api/messages', () => view.snapshot().messages);
  h3.get('/api/messages/:id', (event) => {
    const id = getRouterParam(event, 'id') ?? '';
    const detail = view.message(id);
    if (!detail) throw new HTTPError({ status: 404, message: `no message ${id.slice(0, 100)} in chain ${chain.scenario.name}` });
    return detail;
  });
  h3.get('/api/dsns', () => view.snapshot().dsns);
  h3.get('/api/events', (event) => live.attach(event));
  return h3;
}

/**
 * Serves the web view of `chain` and follows its trace (pushing changes to connected pages) until stopped.
 * @throws MailhopError `ELOOPBACK` for a host other than 127.0.0.1; `EBIND` for a port that cannot be listened on
 *   (`web view: cannot listen on 127.0.0.1:8025: the port is in use (EADDRINUSE). Give another port, or 0 for any free one.`).
 * @example
 * const web = await startWebView(chain, { port: 0 });
 * await fetch(`${web.url}api/messages`); // [{ id: 'm1', status: 'delivered', links: [...], ... }]
 */
export async function startWebView(chain: StartedChain, options: WebViewOptions = {}): Promise<StartedWebView> {
  const host = options.host ?? '127.0.0.1';
  assertWebHost(host);
  const view = new LiveView(chain, options.file);
  const live = new LiveEvents(view);
  let port = options.port ?? DEFAULT_WEB_PORT;
  const server = http.createServer(toNodeHandler(app(chain, view, live, () => [`${host}:${port}`, `localhost:${port}`])));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? 'Give another port, or 0 for any free one.' : undefined;
      reject(MailhopError.of('EBIND', { where: 'web view', what: `listen on ${host}:${port}`, why: listenFailure(err), hint, cause: err }));
    });
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const unsubscribe = chain.subscribe(() => live.changed());
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      unsubscribe();
      await live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })());
  return {
    url: `http://${host}:${port}/`,
    address: { host, port },
    settled(messageId) {
      view.settled(messageId);
      live.changed();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** For `mailhop up --web`: starts the view once the chain runs, and says where it is. */
export function webAttachment(address: WebAddress): (chain: StartedChain, say: (line: string) => void, file: string) => Promise<StartedWebView> {
  return async (chain, say, file) => {
    const web = await startWebView(chain, { ...address, file });
    say(`Web view: ${web.url}  (read-only JSON: ${web.url}api/messages, ${web.url}api/links; live updates: ${web.url}api/events)`);
    return web;
  };
}
