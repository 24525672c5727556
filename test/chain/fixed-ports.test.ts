/**
 * Fixed "send to" ports (chain/proxy-ports.ts): `portBase` puts hop i's link proxy on base + i and a
 * `port:` on the first hop puts it there, so a system under test is configured once; the hop servers stay
 * on ephemeral ports; mail sent to the fixed port crosses the chain; a taken port fails the start with the
 * hop, the address and who asked for it.
 */
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { Scenario } from '../../harness/scenario/schema.js';
import { startChain } from '../../harness/chain/chain.js';
import { loadScenarioFile } from '../../harness/index.js';
import { freePortRun } from '../support/ports.js';

const twoHops = (first: Record<string, unknown> = {}) =>
  Scenario.parse({ name: 'fixed', hops: [{ id: 'relay', ...first }, { id: 'mailbox' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] });

describe('fixed "send to" ports', () => {
  it('--port-base: hop i listens on base + i, servers on other ports, and mail sent to the base crosses the chain', async () => {
    const base = await freePortRun(3);
    const { scenario } = await loadScenarioFile('scenarios/messagelabs-plaintext-inbound-not-upgraded.yaml');
    await using chain = await startChain(scenario, { portBase: base, stampMissingId: true });
    expect(chain.hops.map((h) => `${h.id} ${h.proxy.host}:${h.proxy.port}`)).toEqual([`sendmail 127.0.0.1:${base}`, `gateway 127.0.0.1:${base + 1}`, `mailbox 127.0.0.1:${base + 2}`]);
    for (const h of chain.hops) expect([base, base + 1, base + 2]).not.toContain(h.server.port);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: base, secure: false, tls: { rejectUnauthorized: false } });
    const info = await transport.sendMail({ from: 'alice@org.test', to: 'bob@partner.test', subject: 'fixed', text: 'hello' });
    expect(info.response).toMatch(/^250 /);
    await chain.settle();
    expect(chain.mailbox().map((m) => `${m.id} ${m.to.join()}`)).toEqual(['m1 bob@partner.test']);
  });

  it('port: on the first hop fixes its "send to" port, and wins over --port-base for that hop', async () => {
    const base = await freePortRun(3);
    await using alone = await startChain(twoHops({ port: base + 2 }));
    expect(alone.hops[0].proxy).toEqual({ host: '127.0.0.1', port: base + 2 });
    expect(alone.hops[1].proxy.port).not.toBe(base + 1);
    await alone.stop();
    await using both = await startChain(twoHops({ port: base + 2 }), { portBase: base });
    expect(both.hops.map((h) => h.proxy.port)).toEqual([base + 2, base + 1]);
  });

  it('a taken port fails the start, naming the hop, the address and who asked for it', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startChain(twoHops(), { portBase: taken })).rejects.toMatchObject({
        code: 'EBIND',
        hop: 'relay',
        link: 'client->relay',
        message: `hop relay: cannot listen on 127.0.0.1:${taken}, its "send to" address (the link proxy of client->relay, from --port-base ${taken}): the port is in use (EADDRINUSE).`,
      });
      await expect(startChain(twoHops({ port: taken }))).rejects.toThrow(
        `hop relay: cannot listen on 127.0.0.1:${taken}, its "send to" address (the link proxy of client->relay, from port: ${taken} on hop relay): the port is in use (EADDRINUSE).`,
      );
    } finally {
      blocker.close();
    }
  });

  it('a base too high for the chain is refused before anything listens', async () => {
    await expect(startChain(twoHops(), { portBase: 65535 })).rejects.toThrow('--port-base 65535: cannot place 2 hops: hop i listens on 65535 + i, so they need ports 65535..65536, within 1..65535.');
  });
});
