/**
 * The run's MTA-STS policy hosts: for each zone with an `stsPolicy`, `https://mta-sts.<domain>/.well-known/mta-sts.txt`
 * served on a loopback address of its own (RFC 8461 §3.3), with a certificate for `mta-sts.<domain>` from the run's
 * PKI (or a flawed one), answering as the scenario says: the policy, a 404, a redirect, the wrong media type, a body
 * that is no policy, a handshake that never gets an answer, or nothing listening at all. The zone's A record for
 * `mta-sts.<domain>` names the address; a real client would connect to port 443 there, which an unprivileged run
 * cannot listen on, so the sender maps that address's port 443 to the port the host has ({@link StartedPolicyHosts.portOf}).
 * Each request is recorded as it arrived, for tests of what crossed.
 */
import https from 'node:https';
import net from 'node:net';
import type { DnsZones } from '../scenario/dns-zones.js';
import type { StsPolicyHost } from '../scenario/sts-policy.js';
import type { RunPki } from '../pki/run-pki.js';
import { policyText } from './policy-text.js';
import type { EventBase, PolicyServedEvent } from '../trace/events.js';
import { listenOnFreshAddress } from '../engines/free-address.js';

/** The second octet of the addresses of policy hosts on port 443 (127.90.0.0/16). */
const FIXED_PORT_NET = 90;

/** The path of the policy on its host (RFC 8461 §3.3). */
export const POLICY_PATH = '/.well-known/mta-sts.txt';

/** The policy host's name for a domain (RFC 8461 §3.3). */
export const policyHostname = (domain: string) => `mta-sts.${domain}`;

/** One request a policy host received, as it arrived, and what it answered: its `policy-served` event's fields. */
export type PolicyRequest = Omit<PolicyServedEvent, keyof EventBase | 'kind' | 'source'>;

/** The started policy hosts of a run. */
export interface StartedPolicyHosts extends AsyncDisposable {
  /** The loopback address `mta-sts.<domain>` points to (A record), or undefined for a domain without a policy host. */
  addressOf(domain: string): string | undefined;
  /** The port standing for port 443 at `address`, or undefined where nothing was started (a client then tries 443). */
  portOf(address: string): number | undefined;
  /** Requests received so far, in order. */
  readonly requests: readonly PolicyRequest[];
  stop(): Promise<void>;
}

/** Called when a `timeout` host has taken a client's first bytes and will never answer: the client's local port. */
export type OnStall = (domain: string, clientPort: number) => void;

/** The body and headers a host answers with for `serve`. */
function response(domain: string, host: StsPolicyHost): { status: number; headers: Record<string, string>; body: string } {
  const text = policyText({ mode: host.mode, mx: host.mx, maxAge: Math.floor(host.maxAge / 1000) });
  switch (host.serve) {
    case 'not-found':
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\r\n' };
    case 'redirect':
      return { status: 301, headers: { location: `https://www.${domain}${POLICY_PATH}`, 'content-type': 'text/plain' }, body: 'moved\r\n' };
    case 'wrong-content-type':
      return { status: 200, headers: { 'content-type': 'text/html' }, body: text };
    case 'bad-syntax':
      // The mode line lacks its colon: no STSv1 policy (RFC 8461 §3.2).
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: text.replace(`mode: ${host.mode}`, `mode ${host.mode}`) };
    default:
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: text };
  }
}

/**
 * Starts a policy host for every zone of `zones` with an `stsPolicy`.
 * @param onStall told for each connection a `timeout` host silences (chain/stalled-connections.ts makes the client's wait virtual).
 * @param onRequest told of each request as it is answered (the host's own account, for the trace).
 * @param at where the hosts listen: `port` 0 (default) for the kernel's choice, at one address per host in
 *   127.89.0.0/16, the same in every run; or 443 (root only) for a client that cannot be told another port, such as
 *   Postfix's policy resolver (engines/mta-sts-daemon.ts), each host then at a fresh address in 127.90.0.0/16 (runs
 *   side by side cannot share one). An `unreachable` host's address is always in 127.89.0.0/16, where nothing ever
 *   listens on port 443.
 * @throws the bind error when a host cannot listen (`EACCES` for port 443 when not root).
 */
export async function startPolicyHosts(
  zones: DnsZones,
  pki: RunPki,
  onStall: OnStall,
  onRequest: (r: PolicyRequest) => void = () => {},
  at: { port: 0 | 443 } = { port: 0 },
): Promise<StartedPolicyHosts> {
  const requests: PolicyRequest[] = [];
  const addresses = new Map<string, string>();
  const ports = new Map<string, number>();
  const servers: Array<https.Server | net.Server> = [];
  const sockets = new Set<net.Socket>();
  for (const [domain, zone] of Object.entries(zones)) {
    const host = zone.stsPolicy;
    if (!host) continue;
    // One address per policy host, the same in every run (reports repeat); ports are the kernel's, so runs side by side do not collide.
    const fixed = `127.89.${Math.floor(addresses.size / 250)}.${(addresses.size % 250) + 2}`;
    addresses.set(domain, fixed);
    if (host.serve === 'unreachable') continue;
    let server: https.Server | net.Server;
    if (host.serve === 'timeout') {
      server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        // The ClientHello arrived: nothing is ever answered, the client's own timeout ends it.
        socket.once('data', () => onStall(domain, socket.remotePort ?? 0));
      });
    } else {
      const { key, cert } = await pki.issue(policyHostname(domain), host.cert);
      const answer = response(domain, host);
      server = https.createServer({ key, cert }, (req, res) => {
        const found = req.method === 'GET' && (req.url ?? '').split('?')[0] === POLICY_PATH;
        const { status, headers, body } = found ? answer : { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\r\n' };
        const request = { domain, servername: (req.socket as { servername?: string | false }).servername ?? false, method: req.method ?? '', path: req.url ?? '', host: req.headers.host, status };
        requests.push(request);
        onRequest(request);
        res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      server.on('connection', (socket: net.Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
    }
    const listen = (address: string, port: number) => new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve(address);
      });
    });
    const address = at.port === 0 ? await listen(fixed, 0) : await listenOnFreshAddress(FIXED_PORT_NET, at.port, listen);
    addresses.set(domain, address);
    servers.push(server);
    ports.set(address, (server.address() as net.AddressInfo).port);
  }
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  return {
    addressOf: (domain) => addresses.get(domain),
    portOf: (address) => ports.get(address),
    requests,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
