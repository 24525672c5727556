/**
 * `mailhop --runtime <name> <command>`: the runtime reaches the chains the command starts as a parameter; the
 * CLI changes no environment variable of its process (it used to set MAILHOP_RUNTIME for the library to read).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.js';
import { configureTestcontainers } from '../../harness/runtime/container-runtime.js';

/** Runs the CLI in this process; resolves to its exit code and what it wrote. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, stdout: out.mock.calls.map((c) => String(c[0])).join(''), stderr: err.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('--runtime', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('goes to the chains of `run` as a parameter, and leaves MAILHOP_RUNTIME as it was', async () => {
    vi.stubEnv('NO_COLOR', '1');
    vi.stubEnv('MAILHOP_RUNTIME', undefined);
    // No container engine answers here, so the chain in containers cannot start: proof that the runtime got there.
    vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');
    const run = await cli(['--runtime', 'containers', 'run', 'scenarios/all-hops-offer-encrypted.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '✘ the chain failed: container runtime: cannot start containers: no container engine: GET /_ping failed: connect ECONNREFUSED 127.0.0.1:1 (tried DOCKER_HOST=tcp://127.0.0.1:1). Start a container engine (Docker or Podman), or point DOCKER_HOST at one.',
    );
    expect(process.env.MAILHOP_RUNTIME).toBeUndefined();
  });

  it('goes to explain too, whose chain that cannot start is said once, with the code table\'s exit code (it used to escape as an exception)', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');
    const explain = await cli(['--runtime', 'containers', 'explain', 'scenarios/all-hops-offer-encrypted.yaml']);
    expect(explain).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mailhop explain: container runtime: cannot start containers: no container engine: GET /_ping failed: connect ECONNREFUSED 127.0.0.1:1 (tried DOCKER_HOST=tcp://127.0.0.1:1). Start a container engine (Docker or Podman), or point DOCKER_HOST at one.\n',
    });
  });

  it('in-process runs the scenario here, whatever MAILHOP_RUNTIME says', async () => {
    vi.stubEnv('NO_COLOR', '1');
    vi.stubEnv('MAILHOP_RUNTIME', 'containers');
    vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');
    const run = await cli(['--runtime', 'in-process', 'run', 'scenarios/all-hops-offer-encrypted.yaml']);
    expect(run.stdout).toContain('1 scenario: 1 passed, 0 failed');
    expect(run.code).toBe(0);
    expect(process.env.MAILHOP_RUNTIME).toBe('containers');
  });
});

describe('the container runtime\'s settings for testcontainers', () => {
  it('go into the environment it is given, keeping what is already set', () => {
    const env: NodeJS.ProcessEnv = { DOCKER_HOST: 'tcp://127.0.0.1:2375' };
    configureTestcontainers(env, 'unix:///var/run/docker.sock');
    expect(env).toEqual({ DOCKER_HOST: 'tcp://127.0.0.1:2375', TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' });
  });
});
