/**
 * Is a container engine there? A cheap probe before testcontainers is ever imported: testcontainers
 * hangs for ever on a DOCKER_HOST that accepts but never answers, and its own "no strategy" error
 * names nothing it tried (testcontainers 12.0.1, `getContainerRuntimeClient` in container-runtime/clients/client.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';

/** Where the probe looked and what it found. */
export type EngineProbe = { ok: true; dockerHost: string } | { ok: false; reason: string };

/** File the container test setup writes DOCKER_HOST into (scripts/container-test-setup.sh). */
export const DOCKER_HOST_FILE = '/tmp/mailhop-docker-host';

/** DOCKER_HOST from the environment, else from {@link DOCKER_HOST_FILE}, else the default socket. */
export function dockerHost(): string {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  if (existsSync(DOCKER_HOST_FILE)) {
    const v = readFileSync(DOCKER_HOST_FILE, 'utf8').trim();
    if (v) return v;
  }
  return 'unix:///var/run/docker.sock';
}

/**
 * `GET /_ping` on the engine, with a time limit.
 * @returns `{ ok: true }`, or `{ ok: false, reason }` naming the address tried and what failed. Never throws.
 */
export async function probeEngine(timeoutMs = 1000): Promise<EngineProbe> {
  const host = dockerHost();
  const tried = `DOCKER_HOST=${host}${process.env.DOCKER_HOST ? '' : ` (from ${existsSync(DOCKER_HOST_FILE) ? DOCKER_HOST_FILE : 'the default'})`}`;
  let target: http.RequestOptions;
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (!existsSync(socketPath)) return { ok: false, reason: `no container engine: no socket at ${socketPath} (tried ${tried})` };
    target = { socketPath };
  } else if (host.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else {
    return { ok: false, reason: `no container engine: unsupported DOCKER_HOST ${host}` };
  }
  return new Promise((resolve) => {
    const req = http.request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? { ok: true, dockerHost: host } : { ok: false, reason: `no container engine: GET /_ping answered ${res.statusCode} (tried ${tried})` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, reason: `no container engine: GET /_ping failed: ${e.message} (tried ${tried})` }));
    req.end();
  });
}
