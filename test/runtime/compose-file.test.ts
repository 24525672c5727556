import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { main } from '../../harness/cli/main.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadScenarioFile } from '../../harness/scenario/load-scenario.js';
import { composeFile } from '../../harness/runtime/compose-file.js';

const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
const hasCompose = compose.status === 0;

describe('mailhop compose', () => {
  it('one service per hop and per link proxy, hops by hostname on a user-defined bridge', async () => {
    const { scenario } = await loadScenarioFile('scenarios/messagelabs-preserves-inbound-tls.yaml');
    const file = parse(await composeFile(scenario));
    expect(Object.keys(file.services)).toEqual(['sendmail', 'gateway', 'mailbox', 'sendmail-link', 'gateway-link', 'mailbox-link']);
    expect(file.networks).toEqual({ mailhop: { driver: 'bridge' } }); // no subnet: nothing private is chosen by mailhop
    expect(file.services.gateway.networks.mailhop.aliases).toEqual(['gateway.mailhop.test']);
    const relay = JSON.parse(file.services.sendmail.environment.MAILHOP_PLAN).relay;
    expect(relay.address).toEqual({ host: 'gateway-link', port: 25 });
    expect(file.services['sendmail-link'].ports).toEqual(['127.0.0.1:2525:25']);
  });

  it('ids: the first hop believes none, later hops a seal under one key, fresh per file', async () => {
    const { scenario } = await loadScenarioFile('scenarios/messagelabs-preserves-inbound-tls.yaml');
    const idsOf = (file: any) => ['sendmail', 'gateway', 'mailbox'].map((hop) => JSON.parse(file.services[hop].environment.MAILHOP_PLAN).ids);
    const [first, second] = [idsOf(parse(await composeFile(scenario))), idsOf(parse(await composeFile(scenario)))];
    expect(first.map((ids) => ids.binding)).toEqual(['none', 'sealed', 'sealed']);
    expect(new Set(first.map((ids) => ids.key)).size).toBe(1);
    expect(Buffer.from(first[0].key, 'base64')).toHaveLength(32);
    expect(second[0].key).not.toBe(first[0].key);
  });

  it('refuses a hop that routes by MX, which a compose file cannot do (no DNS): exit 2, nothing written', async () => {
    const { scenario } = await loadScenarioFile('scenarios/dns/backup-mx-without-starttls-takes-the-mail.yaml');
    await expect(composeFile(scenario)).rejects.toThrow(/^hop relay: cannot run it in compose: it routes by MX \(outbound\.route: mx\), and a compose file has no DNS/);
  });

  it('host networking: each hop and proxy on its own loopback address', async () => {
    const { scenario } = await loadScenarioFile('scenarios/starttls-stripped-on-the-wire-opportunistic-goes-plain.yaml');
    const file = parse(await composeFile(scenario, { network: 'host' }));
    const hosts = Object.values(file.services).map((s: any) => (expect(s.network_mode).toBe('host'), JSON.parse(s.environment.MAILHOP_PLAN).host));
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(file.networks).toBeUndefined();
  });

  describe.skipIf(!hasCompose)(`docker-compose config${hasCompose ? '' : ' (skipped: no docker-compose on PATH; apt-get install docker-compose)'}`, () => {
    it('validates the top-level docker-compose.yml (the seed chain)', () => {
      execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
    });

    it('validates what `mailhop compose` writes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailhop-compose-'));
      try {
        expect(await main(['compose', 'scenarios/starttls-stripped-on-the-wire-opportunistic-goes-plain.yaml', '-o', join(dir, 'c.yml')])).toBe(0);
        execFileSync('docker-compose', ['-f', join(dir, 'c.yml'), 'config', '-q']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
