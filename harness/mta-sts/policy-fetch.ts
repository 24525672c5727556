/**
 * A sender's fetch of an MTA-STS policy (RFC 8461 §3.3): HTTPS GET of `https://mta-sts.<domain>/.well-known/mta-sts.txt`
 * at the address the run's DNS gave for `mta-sts.<domain>`, the certificate checked against the run's CA for that name
 * (PKIX, RFC 6125), no redirect followed, the media type `text/plain` required, the body parsed (§3.2). Every way it
 * fails is an outcome with its RFC 8460 §4.3.2.2 result type, never a throw.
 *
 * Node's https client does the HTTP and TLS; mailhop only picks the port (the policy host's stand-in for 443) and the
 * clock of the timeout: once a policy host that never answers has taken the client's first bytes, the wait runs on the
 * chain's virtual clock (chain/stalled-connections.ts), so a 60 s timeout costs no real minute.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TlsFailureType } from '../trace/events.js';
import { REAL_WAITS, type ConnectionWaits } from '../mta/connection-waits.js';
import { parsePolicy, type StsPolicy } from './policy-text.js';
import { POLICY_PATH, policyHostname } from './policy-host.js';

/** The longest policy body read, bytes (RFC 8461 §3.3 suggests senders bound it; 64 KiB as it does). */
const MAX_BODY = 64 * 1024;

/** How a fetch ended. */
export type PolicyFetch =
  | { ok: true; policy: StsPolicy; url: string; address: string; status: number; contentType: string }
  | { ok: false; failure: Extract<TlsFailureType, 'sts-policy-fetch-error' | 'sts-policy-invalid' | 'sts-webpki-invalid'>; detail: string; url: string; address?: string; status?: number; contentType?: string };

/** Where and how a sender fetches. */
export interface FetchSetup {
  /** The port standing for 443 at a policy host's address (policy-host.ts), or undefined: 443 itself. */
  portOf(address: string): number | undefined;
  /** PEM trust anchors (the run's CA). */
  ca: string[];
  /** Limit of the whole fetch, ms: real time, virtual once the host silenced the connection. */
  timeoutMs: number;
  /** The waits of the connection from a local port (the chain's stall-aware waits); default real time. */
  waitsFor?: (domain: string, localPort: number) => ConnectionWaits;
}

/** Node's certificate verification codes (a chain, a date, a name): the policy host failed PKIX (`sts-webpki-invalid`). */
const WEBPKI = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ALTNAME/;

/**
 * Fetches `domain`'s policy from `address` (the A record of `mta-sts.<domain>`; undefined: none was found).
 */
export function fetchPolicy(domain: string, address: string | undefined, setup: FetchSetup): Promise<PolicyFetch> {
  const servername = policyHostname(domain);
  const url = `https://${servername}${POLICY_PATH}`;
  if (!address) return Promise.resolve({ ok: false, failure: 'sts-policy-fetch-error', detail: `${servername} has no address in DNS`, url });
  const port = setup.portOf(address) ?? 443;
  return new Promise<PolicyFetch>((resolve) => {
    let waits: ConnectionWaits = REAL_WAITS;
    let cancel = () => {};
    let settled = false;
    const failed = (failure: Extract<PolicyFetch, { ok: false }>['failure'], detail: string, more: { status?: number; contentType?: string } = {}) =>
      done({ ok: false, failure, detail, url, address, ...more });
    const done = (result: PolicyFetch) => {
      if (settled) return;
      settled = true;
      cancel();
      waits.close();
      req.destroy();
      resolve(result);
    };
    const req = https.request({
      host: address, port, servername, path: POLICY_PATH, method: 'GET', headers: { host: servername, 'user-agent': 'mailhop' },
      ca: setup.ca, rejectUnauthorized: true, agent: false,
    });
    const startTimer = () => {
      cancel();
      cancel = waits.start(setup.timeoutMs, () => failed('sts-policy-fetch-error', `no answer within ${setup.timeoutMs} ms${waits.virtual ? ' (virtual time: the host never answered)' : ''}`));
    };
    startTimer();
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        const local = (socket as TLSSocket).localPort;
        if (setup.waitsFor && local) waits = setup.waitsFor(domain, local);
        startTimer();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (WEBPKI.test(code)) failed('sts-webpki-invalid', `${servername}'s certificate: ${code} (${err.message})`);
      else failed('sts-policy-fetch-error', `${code || 'error'}: ${err.message}`);
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '');
      if (status !== 200) {
        const where = res.headers.location ? ` to ${res.headers.location}, not followed (RFC 8461 §3.3)` : '';
        failed('sts-policy-fetch-error', `HTTP ${status}${where}`, { status, contentType });
        return;
      }
      // RFC 8461 §3.3: the media type must be text/plain (parameters such as charset aside).
      if (contentType.split(';')[0].trim().toLowerCase() !== 'text/plain') {
        failed('sts-policy-invalid', `media type ${contentType || '(none)'}, not text/plain`, { status, contentType });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) failed('sts-policy-invalid', `body longer than ${MAX_BODY} bytes`, { status, contentType });
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const parsed = parsePolicy(Buffer.concat(chunks).toString('utf8'));
        if ('invalid' in parsed) failed('sts-policy-invalid', parsed.invalid, { status, contentType });
        else done({ ok: true, policy: parsed.policy, url, address, status, contentType });
      });
    });
    req.end();
  });
}
