import { afterEach, describe, expect, test as plain, vi } from 'vitest';
import { chainTest } from '../../harness/vitest/index.js';

// A machine without the real MTAs: chainTest skips the scenarios that need them, with the reason,
// as `mailhop run` does (never a failure, never a silent pass).
const seen: Array<{ name: string; state?: string; note?: string }> = [];

describe('chainTest on a machine without the scenario\'s real MTA', () => {
  const test = chainTest('scenarios/real/sendmail-messagelabs-postfix-encrypted.yaml');
  let bodyRan = false;

  afterEach(({ task }) => {
    seen.push({ name: task.name, state: task.result?.state, note: (task.result as { note?: string } | undefined)?.note });
  });

  test('is skipped before its body runs', async ({ chain }) => {
    bodyRan = true;
    await chain.run();
  });

  plain('the skip carries the reason, and the body never ran', () => {
    expect(bodyRan).toBe(false);
    expect(seen[0]).toEqual({
      name: 'is skipped before its body runs',
      state: 'skip',
      note: expect.stringMatching(/^sendmail-messagelabs-postfix-encrypted: needs sendmail: /),
    });
  });
});

// A machine without a container engine: a chain in containers cannot start, and the code table says that is
// this machine's lack (ENORUNTIME), so the test is skipped with the reason, not failed (errors.ts).
const inContainers: Array<{ name: string; state?: string; note?: string }> = [];

describe('chainTest in containers on a machine where no container engine answers', () => {
  const test = chainTest('scenarios/all-hops-offer-encrypted.yaml', { runtime: 'containers' });
  let bodyRan = false;

  afterEach(({ task }) => {
    inContainers.push({ name: task.name, state: task.result?.state, note: (task.result as { note?: string } | undefined)?.note });
  });

  test('is skipped before its body runs', async ({ chain }) => {
    bodyRan = true;
    await chain.run();
  });

  plain('the skip carries the reason the runtime gave, and the body never ran', () => {
    expect(bodyRan).toBe(false);
    expect(inContainers[0]).toEqual({
      name: 'is skipped before its body runs',
      state: 'skip',
      note: 'all-hops-offer-encrypted: container runtime: cannot start containers: no container engine: GET /_ping failed: connect ECONNREFUSED 127.0.0.1:1 (tried DOCKER_HOST=tcp://127.0.0.1:1). Start a container engine (Docker or Podman), or point DOCKER_HOST at one.',
    });
  });
});

// The real MTAs are found through MAILHOP_MTA_ROOT, the container engine through DOCKER_HOST, at the moment the chain fixture starts.
vi.stubEnv('MAILHOP_MTA_ROOT', '/nonexistent/mailhop-mtas');
vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');
