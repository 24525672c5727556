/**
 * A real MTA-STS client against mailhop's policy hosts: Debian 12's postfix-mta-sts-resolver (the policy daemon Postfix
 * asks through smtp_tls_policy_maps), its `mta-sts-query` run in a private mount namespace whose resolv.conf names the
 * run's DNS answers on port 53, with the run's CA as SSL_CERT_FILE and the policy host on port 443. It must read the
 * policy mailhop serves, and refuse what mailhop's own sender refuses (a redirect, not followed; the wrong media type),
 * judged on what the policy host received. Skipped, with the reason, where it cannot run (not root, not installed).
 */
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { RunPki } from '../../harness/pki/run-pki.js';
import { DnsZones } from '../../harness/scenario/dns-zones.js';
import { dnsAnswers } from '../../harness/dns/dns-answers.js';
import { answer } from '../../harness/dns/dns-server.js';
import { startPolicyHosts, type PolicyRequest } from '../../harness/mta-sts/policy-host.js';

const QUERY = '/usr/bin/mta-sts-query';
const why = process.getuid?.() !== 0 ? 'needs root (port 53 and 443 on loopback, a mount namespace)' : !existsSync(QUERY) ? `${QUERY} missing (apt-get install postfix-mta-sts-resolver)` : '';
/** Where the run's answers are served on port 53, as resolv.conf can only name a port-53 server. */
const DNS_HOST = '127.53.0.1';

/** Serves `zones`' policy hosts on port 443 and their DNS on port 53, runs mta-sts-query for partner.test, stops. */
async function query(stsPolicy: object): Promise<{ out: string; requests: PolicyRequest[] }> {
  const pki = await RunPki.create();
  const zones = DnsZones.parse({ 'partner.test': { mtaSts: 'v=STSv1; id=20261201', stsPolicy } });
  // Port 443 at a fresh address in 127.90.0.0/16: a run's `unreachable` policy host in 127.89 must find nothing there.
  const hosts = await startPolicyHosts(zones, pki, () => {}, () => {}, { port: 443 });
  const answers = dnsAnswers(zones, () => { throw new Error('no TLSA here'); }, (d) => hosts.addressOf(d));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, peer) => {
    const out = answer(answers, dnsPacket.decode(msg));
    if (out) udp.send(out, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => udp.bind(53, DNS_HOST, () => resolve()));
  const dir = await mkdtemp(path.join(tmpdir(), 'mailhop-sts-'));
  try {
    await writeFile(path.join(dir, 'resolv.conf'), `nameserver ${DNS_HOST}\n`);
    await writeFile(path.join(dir, 'ca.pem'), pki.ca.cert);
    const script = `mount --bind ${dir}/resolv.conf /etc/resolv.conf && SSL_CERT_FILE=${dir}/ca.pem exec ${QUERY} partner.test`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile('unshare', ['--mount', 'sh', '-c', script], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))));
    return { out: out.trim(), requests: [...hosts.requests] };
  } finally {
    udp.close();
    await hosts.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(why !== '')(`postfix-mta-sts-resolver against mailhop's policy host${why ? ` (skipped: ${why})` : ''}`, () => {
  const fetched = { domain: 'partner.test', servername: 'mta-sts.partner.test', method: 'GET', path: '/.well-known/mta-sts.txt', host: 'mta-sts.partner.test' };

  it('reads the enforce policy mailhop serves, through the run\'s DNS, trusting the run\'s CA', async () => {
    const { out, requests } = await query({ mode: 'enforce', mx: ['*.mailhop.test'], maxAge: '7d' });
    expect(out).toBe("(<STSFetchResult.VALID: 1>, ('20261201', {'mx': ['*.mailhop.test'], 'version': 'STSv1', 'mode': 'enforce', 'max_age': 604800}))");
    expect(requests).toEqual([{ ...fetched, status: 200 }]);
  });

  it('refuses a redirect without following it, and a policy served as text/html, as mailhop\'s sender does', async () => {
    const redirect = await query({ mode: 'enforce', mx: ['*.mailhop.test'], serve: 'redirect' });
    expect(redirect.out).toBe('(<STSFetchResult.FETCH_ERROR: 2>, None)');
    expect(redirect.requests).toEqual([{ ...fetched, status: 301 }]);
    const html = await query({ mode: 'enforce', mx: ['*.mailhop.test'], serve: 'wrong-content-type' });
    expect(html.out).toBe('(<STSFetchResult.FETCH_ERROR: 2>, None)');
    expect(html.requests).toEqual([{ ...fetched, status: 200 }]);
  });
});
