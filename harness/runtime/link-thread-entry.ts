/**
 * The worker side of {@link startLinkProxyOnThread}: hosts fault-free link proxies for every chain
 * of the process on a second event loop, and reports to the main thread over `parentPort`:
 * `{ id, started: address }` or `{ id, error }` after a start, `{ id, open: true }` when a
 * connection is accepted, `{ id, record }` when it closed, `{ id, stopped: true }` after a stop.
 */
import { parentPort } from 'node:worker_threads';
import { LinkProxy, type StartedLinkProxy } from '../link/link-proxy.js';
import type { LinkThreadReply, LinkThreadRequest } from './link-thread.js';

const port = parentPort;
if (!port) throw new Error('link-thread-entry.ts runs as a worker thread (see link-thread.ts)');
const proxies = new Map<number, StartedLinkProxy>();
const post = (reply: LinkThreadReply) => port.postMessage(reply);

port.on('message', (request: LinkThreadRequest) => {
  if ('start' in request) {
    const { id, start } = request;
    LinkProxy.start({
      ...start,
      onOpen: () => post({ id, open: true }),
      onRecord: (record) => post({ id, record }),
    }).then(
      (proxy) => {
        proxies.set(id, proxy);
        post({ id, started: proxy.address });
      },
      (error: Error & { code?: string }) => post({ id, error: { code: error.code ?? 'ECHAIN', message: error.message } }),
    );
    return;
  }
  const proxy = proxies.get(request.id);
  proxies.delete(request.id);
  void (proxy?.stop() ?? Promise.resolve()).then(() => post({ id: request.id, stopped: true }));
});
