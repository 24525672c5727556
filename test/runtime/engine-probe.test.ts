import { describe, it, expect, afterEach } from 'vitest';
import { probeEngine } from '../../harness/runtime/engine-probe.js';
import { containerRuntime } from '../../harness/runtime/container-runtime.js';
import { selectRuntime, runtimeName } from '../../harness/runtime/select-runtime.js';

const saved = process.env.DOCKER_HOST;
afterEach(() => {
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
});

describe('without a container engine', () => {
  it('the probe says which socket it tried', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    expect(await probeEngine()).toEqual({
      ok: false,
      reason: 'no container engine: no socket at /nonexistent/docker.sock (tried DOCKER_HOST=unix:///nonexistent/docker.sock)',
    });
  });

  it('the container runtime fails at once on a refused engine address, naming what it tried', async () => {
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    await expect(containerRuntime()).rejects.toMatchObject({
      code: 'ENORUNTIME',
      message:
        'container runtime: cannot start containers: no container engine: GET /_ping failed: connect ECONNREFUSED 127.0.0.1:1 (tried DOCKER_HOST=tcp://127.0.0.1:1). Start a container engine (Docker or Podman), or point DOCKER_HOST at one.',
    });
  });

  it('MAILHOP_RUNTIME picks the runtime; in-process is the default', async () => {
    expect((await selectRuntime(undefined)).name).toBe(process.env.MAILHOP_RUNTIME === 'containers' ? 'containers' : 'in-process');
    expect((await selectRuntime('in-process')).name).toBe('in-process');
    expect(() => runtimeName('vm')).toThrow('--runtime vm: cannot run hops there: the runtimes are in-process, workers and containers.');
    expect(() => runtimeName('vm', 'MAILHOP_RUNTIME')).toThrow('MAILHOP_RUNTIME=vm: cannot run hops there: the runtimes are in-process, workers and containers.');
  });
});
