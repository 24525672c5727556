/**
 * The body of a scenario thread (scenario-threads.ts): runs each scenario it is sent in its own chain, as many
 * at once as it is sent, and posts back the report and trace (structured clone). `abort` stops every chain.
 */
import { parentPort } from 'node:worker_threads';
import { runOneScenario } from './run-one-scenario.js';
import type { ThreadRequest, ThreadReply } from './scenario-threads.js';

const port = parentPort!;
const interrupt = new AbortController();

port.on('message', (message: ThreadRequest) => {
  if (message.type === 'abort') return interrupt.abort(message.reason);
  void runOneScenario(message.loaded, { allowExternal: message.allowExternal, signal: interrupt.signal }).then((result) => {
    port.postMessage({ type: 'done', id: message.id, result } satisfies ThreadReply);
  });
});
port.postMessage({ type: 'ready' } satisfies ThreadReply);
