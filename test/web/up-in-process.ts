/**
 * `mailhop up --web` run in this process (upCommand with its web attachment, a fake signal source and a
 * captured stdout), and a reader of the web view's server-sent events over plain fetch, for the web tests.
 */
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { upCommand, type UpOptions } from '../../harness/cli/up-command.js';
import { webAttachment } from '../../harness/web/lazy-web-view.js';
import type { WebAddress } from '../../harness/web/web-address.js';

/** A running `up`: its output so far, a wait for a line, its web view's URL, and SIGINT. */
export interface UpRun {
  text(): string;
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  /** `http://127.0.0.1:<port>/`, once the web view listens. */
  url: string;
  /** The "send to" port of each hop, as printed. */
  sendTo: Record<string, number>;
  /** Sends SIGINT and resolves to up's exit code. */
  stop(): Promise<number>;
}

/** Starts `up` on `path` with the web view on a free port (or `web`). */
export async function upWithWeb(path: string, options: Omit<UpOptions, 'attach'> & { web?: WebAddress } = {}): Promise<UpRun> {
  const signals = new EventEmitter();
  let out = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const io = {
    stdout: {
      write(text: string) {
        // Matched without colour: under CI (the CI variable set) picocolors colours the live lines.
        out += stripVTControlCharacters(text);
        for (const w of [...waiters]) {
          const m = out.match(w.re);
          if (m) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      },
    },
    signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
  };
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const m = out.match(re);
      if (m) resolve(m);
      else waiters.push({ re, resolve });
    });
  const { web = { host: '127.0.0.1', port: 0 }, ...rest } = options;
  const done = upCommand(path, io, { ...rest, attach: webAttachment(web) });
  const started = await Promise.race([waitFor(/^Web view: (\S+)/m), done.then((code) => Promise.reject(new Error(`up exited ${code}:\n${out}`)))]);
  const sendTo = Object.fromEntries([...out.matchAll(/^ {2}hop (\S+) +send to 127\.0\.0\.1:(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  return {
    text: () => out,
    waitFor,
    url: started[1],
    sendTo,
    stop() {
      signals.emit('SIGINT');
      return done;
    },
  };
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Reads `url`'s server-sent events (text/event-stream) with fetch; `next` waits for the first one to match. */
export async function readEvents(url: string): Promise<{ next(match: (e: SseEvent) => boolean): Promise<SseEvent>; seen: SseEvent[]; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  if (response.headers.get('content-type') !== 'text/event-stream') throw new Error(`not an event stream: ${response.headers.get('content-type')}`);
  const seen: SseEvent[] = [];
  const waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  const deliver = (e: SseEvent) => {
    seen.push(e);
    for (const w of [...waiters]) if (w.match(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = block.match(/^event: (.*)$/m)?.[1] ?? 'message';
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (block.match(/^data: /m)) deliver({ event, data });
        }
      }
    } catch {
      // aborted by close(), or the view stopped
    }
  })();
  return {
    seen,
    next: (match) =>
      new Promise((resolve) => {
        const earlier = seen.find(match);
        if (earlier) resolve(earlier);
        else waiters.push({ match, resolve });
      }),
    close: () => abort.abort(),
  };
}
