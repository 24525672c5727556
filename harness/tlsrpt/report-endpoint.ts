/**
 * mailhop's own HTTPS endpoint for `rua=https:` reports (RFC 8460 §5.4), on loopback only: it takes a POST of
 * `application/tlsrpt+gzip`, gunzips and parses the body, and keeps what arrived, so a run can show what a report
 * collector would have received. Answers 200 to a report it could read, 400 (or 415 for another media type) otherwise.
 * Its certificate names {@link ENDPOINT_NAME}, issued by the run's CA; the poster checks it against that name.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { KeyCert } from '../pki/run-pki.js';
import { MailhopError } from '../errors.js';
import { isLoopbackHost } from './tlsrpt-record.js';

/** The name the endpoint's certificate carries. */
export const ENDPOINT_NAME = 'tlsrpt.mailhop.test';

/** One POST the endpoint took. */
export interface ReceivedPost {
  path: string;
  contentType: string;
  /** HTTP status answered. */
  status: number;
  /** The report, when the body was gzip of JSON. */
  report?: unknown;
  /** Why it was refused, when it was. */
  problem?: string;
}

/** A started endpoint. */
export interface StartedReportEndpoint {
  address: { host: string; port: number };
  posts(): ReceivedPost[];
  stop(): Promise<void>;
}

/** Largest body taken, bytes: a day's report of a chain is a few KiB. */
const MAX_BODY = 1 << 20;

/**
 * Listens on `host` (loopback), `port` (0: any free one).
 * @throws MailhopError `ELOOPBACK` for a host off 127.0.0.0/8, `EBIND` when it cannot listen.
 */
export async function startReportEndpoint(host: string, port: number, keyCert: KeyCert): Promise<StartedReportEndpoint> {
  if (!isLoopbackHost(host)) throw MailhopError.of('ELOOPBACK', { where: `TLS-RPT endpoint ${host}`, what: 'listen there', why: 'mailhop listens on loopback (127.0.0.0/8) only' });
  const posts: ReceivedPost[] = [];
  const server = https.createServer({ key: keyCert.key, cert: keyCert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const post: ReceivedPost = { path: req.url ?? '/', contentType: req.headers['content-type'] ?? '', status: 200 };
      if (req.method !== 'POST') Object.assign(post, { status: 405, problem: `method ${req.method}: reports are POSTed (RFC 8460 §5.4)` });
      else if (post.contentType !== 'application/tlsrpt+gzip' && post.contentType !== 'application/tlsrpt+json') Object.assign(post, { status: 415, problem: `Content-Type ${post.contentType || '(none)'}: RFC 8460 §5.4 takes application/tlsrpt+gzip or application/tlsrpt+json` });
      else if (size > MAX_BODY) Object.assign(post, { status: 413, problem: `body over ${MAX_BODY} bytes` });
      else {
        try {
          const body = Buffer.concat(chunks);
          post.report = JSON.parse((post.contentType.endsWith('gzip') ? gunzipSync(body) : body).toString('utf8'));
        } catch (err) {
          Object.assign(post, { status: 400, problem: `unreadable body: ${(err as Error).message}` });
        }
      }
      posts.push(post);
      res.writeHead(post.status, { 'content-type': 'text/plain' }).end(post.problem ?? 'report received');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(MailhopError.of('EBIND', { where: `TLS-RPT endpoint ${host}:${port}`, what: 'listen there', why: err.message })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    address: { host: address.address, port: address.port },
    posts: () => [...posts],
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * POSTs one report (gzip bytes) to `url` on the endpoint at `address`, checking its certificate against the run's CA
 * and {@link ENDPOINT_NAME} (RFC 8460 §5.4: the sender must validate the endpoint's certificate).
 * @returns the HTTP status, or the error's message when the request failed.
 */
export function postReport(address: { host: string; port: number }, url: URL, body: Buffer, ca: string, timeoutMs = 5_000): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: address.host, port: address.port, method: 'POST', path: `${url.pathname}${url.search}`, ca, servername: ENDPOINT_NAME,
        headers: { 'content-type': 'application/tlsrpt+gzip', 'content-length': body.length }, timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
}
