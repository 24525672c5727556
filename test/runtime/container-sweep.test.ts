/**
 * Containers a crashed mailhop left behind are removed by the next one: the sweep's rule on its own
 * (a fake Docker API), then against the real engine of the container suite: a stopped unit
 * container whose owner is dead disappears when a chain starts in containers, and one whose owner
 * runs stays.
 */
import { describe, expect, it } from 'vitest';
import { BOOT_LABEL, OWNER_PID_LABEL, sweepOrphanContainers, type SweepApi } from '../../harness/runtime/container-sweep.js';
import { bootId } from '../../harness/process-owner.js';
import { deadPid } from '../support/dead-pid.js';
import { probeEngine } from '../../harness/runtime/engine-probe.js';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';

function fakeApi(containers: Array<{ Id: string; Labels: Record<string, string>; State: string }>) {
  const removed: string[] = [];
  const api: SweepApi = {
    listContainers: async ({ filters }) => {
      expect(JSON.parse(filters)).toEqual({ label: [OWNER_PID_LABEL] });
      return containers;
    },
    getContainer: (id) => ({
      remove: async (options) => {
        expect(options).toEqual({ force: true, v: true });
        if (id === 'stuck') throw new Error('removal of container stuck is already in progress');
        removed.push(id);
      },
    }),
  };
  return { api, removed };
}

describe('sweeping containers of crashed mailhop processes', () => {
  it('removes those whose owner is gone (dead pid, other boot, no pid), keeps those of running owners, and reports failures', async () => {
    const boot = bootId();
    const { api, removed } = fakeApi([
      { Id: 'dead-owner', Labels: { [OWNER_PID_LABEL]: String(deadPid()), [BOOT_LABEL]: boot }, State: 'exited' },
      { Id: 'other-boot', Labels: { [OWNER_PID_LABEL]: String(process.pid), [BOOT_LABEL]: 'another-boot' }, State: 'exited' },
      { Id: 'no-pid', Labels: { [OWNER_PID_LABEL]: 'x', [BOOT_LABEL]: boot }, State: 'exited' },
      { Id: 'mine', Labels: { [OWNER_PID_LABEL]: String(process.pid), [BOOT_LABEL]: boot }, State: 'running' },
      { Id: 'stuck', Labels: { [OWNER_PID_LABEL]: String(deadPid()), [BOOT_LABEL]: boot }, State: 'exited' },
    ]);
    const result = await sweepOrphanContainers(api);
    expect(removed).toEqual(['dead-owner', 'other-boot', 'no-pid']);
    expect(result).toEqual({ removed: ['dead-owner', 'other-boot', 'no-pid'], failed: ['stuck: removal of container stuck is already in progress'] });
  });

  it('a Docker API that fails to list sweeps nothing and does not throw', async () => {
    const api: SweepApi = { listContainers: () => Promise.reject(new Error('connect ENOENT')), getContainer: () => ({ remove: async () => {} }) };
    expect(await sweepOrphanContainers(api)).toEqual({ removed: [], failed: [] });
  });
});

const engine = await probeEngine(1000);

describe.skipIf(!engine.ok)(`against the real engine${engine.ok ? '' : ` (skipped: ${engine.reason})`}`, () => {
  it('a stopped unit container of a dead mailhop is gone once a chain starts in containers; its own are labelled with its pid', { timeout: 90_000 }, async () => {
    // The environment containerRuntime() sets up (host networking, no Ryuk), so testcontainers finds this engine.
    if (engine.ok) process.env.DOCKER_HOST ??= engine.dockerHost;
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
    const { getContainerRuntimeClient } = await import('testcontainers');
    const docker = (await getContainerRuntimeClient()).container.dockerode;
    const image = process.env.MAILHOP_IMAGE ?? 'mailhop:local';
    // What a crash leaves: a unit container of another (dead) mailhop, exited (no MAILHOP_PLAN: it exits 2 at once).
    const left = await docker.createContainer({ Image: image, Labels: { [OWNER_PID_LABEL]: String(deadPid()), [BOOT_LABEL]: bootId() }, HostConfig: { NetworkMode: 'host' } });
    await left.start();
    await left.wait();
    expect((await left.inspect()).State.Status).toBe('exited');

    const scenario = Scenario.parse({ name: 'sweep', hops: [{ id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });
    await using chain = await startChain(scenario, { runtime: 'containers' });
    const ours = await docker.listContainers({ filters: JSON.stringify({ label: [`${OWNER_PID_LABEL}=${process.pid}`] }) });
    expect(ours.length).toBe(2); // the hop and its link proxy
    await expect(left.inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await chain.run()).endToEnd).toBe('encrypted');
  });
});
