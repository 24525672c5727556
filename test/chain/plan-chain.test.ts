/**
 * planChain says what a scenario becomes before anything listens: the plan is read here without a
 * socket, and it must give each link only its own faults, tell every sender's kind, and refuse what
 * may not be bound, with the hop named.
 */
import { describe, expect, it } from 'vitest';
import { planChain } from '../../harness/chain/plan-chain.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import { MailhopError } from '../../harness/errors.js';

const parse = (input: Partial<ScenarioInput>) =>
  Scenario.parse({ name: 'plan', messages: [{ from: 'a@x.test', to: ['b@y.test'] }], hops: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], ...input });

describe('planChain', () => {
  it('gives each link only its own faults, in scenario order', () => {
    const plan = planChain(parse({
      links: [
        { from: 'a', to: 'b', fault: 'strip-starttls' },
        { from: 'client', to: 'a', fault: 'reset', after: 'STARTTLS' },
        { from: 'a', to: 'b', fault: 'kill-handshake', attempts: [1] },
      ],
    }));
    expect(plan.links.map((l) => [l.name, l.faults.map((f) => f.fault)])).toEqual([
      ['client->a', ['reset']],
      ['a->b', ['strip-starttls', 'kill-handshake']],
      ['b->c', []],
    ]);
    expect(plan.links.map((l) => l.intercepts)).toEqual([false, false, false]);
  });

  it('names one sender per mock hop that relays, the client first, each with its route and policy', () => {
    const scenario = parse({ submit: { tls: 'mandatory' }, hops: [{ id: 'a', outbound: { tls: 'none' } }, { id: 'b' }] });
    const plan = planChain(scenario);
    expect(plan.senders.map((s) => ({ id: s.id, kind: s.kind, routes: s.routes, ehlo: s.ehloName, tls: s.policy.tls }))).toEqual([
      { id: 'client', kind: 'client', routes: ['client->a'], ehlo: 'client.mailhop.test', tls: 'mandatory' },
      { id: 'a', kind: 'mock', routes: ['a->b'], ehlo: 'a.mailhop.test', tls: 'none' },
    ]);
  });

  it('gives a hop that routes by MX one link per MX target, each its own proxy, and makes every MX target a mailbox', () => {
    const plan = planChain(parse({
      hops: [{ id: 'a' }, { id: 'relay', outbound: { route: 'mx' } }, { id: 'mx-1' }, { id: 'mx-2' }],
      dns: { 'y.test': { mx: [{ hop: 'mx-2', preference: 10 }] }, 'z.test': { mx: [{ hop: 'mx-1', preference: 10 }] } },
      links: [{ from: 'relay', to: 'mx-2', fault: 'strip-starttls' }],
    }));
    expect(plan.links.map((l) => [l.name, l.from, l.toIndex, l.senderKind, l.faults.map((f) => f.fault)])).toEqual([
      ['client->a', 'client', 0, 'client', []],
      ['a->relay', 'a', 1, 'mock', []],
      ['relay->mx-1', 'relay', 2, 'mock', []],
      ['relay->mx-2', 'relay', 3, 'mock', ['strip-starttls']],
    ]);
    expect(plan.senders.map((s) => [s.id, s.routes])).toEqual([['client', ['client->a']], ['a', ['a->relay']], ['relay', ['relay->mx-1', 'relay->mx-2']]]);
    expect([plan.mailboxes, plan.router]).toEqual([['mx-1', 'mx-2'], 'relay']);
  });

  it('plans a chain without dns: exactly as a line, its last hop the one mailbox', () => {
    const plan = planChain(parse({}));
    expect([plan.links.map((l) => l.name), plan.mailboxes, plan.router]).toEqual([['client->a', 'a->b', 'b->c'], ['c'], undefined]);
  });

  it('tells a link out of a real engine or an external gateway apart: no queue of ours sends there', () => {
    const plan = planChain(parse({
      hops: [{ id: 'a' }, { id: 'pf', engine: 'postfix' }, { id: 'gw', engine: 'external', host: '127.0.0.9', port: 2525 }, { id: 'box', host: '127.0.0.10' }],
    }));
    expect(plan.links.map((l) => [l.name, l.senderKind, l.driven])).toEqual([
      ['client->a', 'client', true],
      ['a->pf', 'mock', true],
      ['pf->gw', 'engine', false],
      ['gw->box', 'external', false],
    ]);
    expect(plan.senders.map((s) => s.id)).toEqual(['client', 'a']);
    expect(plan.hops.map((h) => h.kind)).toEqual(['mock', 'engine', 'external', 'mock']);
    expect(plan.hops[2].external).toEqual({ host: '127.0.0.9', port: 2525 });
    // The mock after the gateway listens where the gateway can reach it.
    expect(plan.hops[3].proxyHost).toBe('127.0.0.10');
    expect(plan.engineOrExternalHops.map((h) => [h.hopId, h.inboundLink, h.outboundLink, h.kind])).toEqual([
      ['pf', 'a->pf', 'pf->gw', 'engine'],
      ['gw', 'pf->gw', 'gw->box', 'external'],
    ]);
  });

  it('keeps finished messages bounded only when every sender is ours', () => {
    expect(planChain(parse({}), { keepFinished: 100 })).toMatchObject({ keepFinished: 100, bounded: true });
    const withEngine = planChain(parse({ hops: [{ id: 'a' }, { id: 'pf', engine: 'postfix' }, { id: 'c' }] }), { keepFinished: 100 });
    expect(withEngine.keepFinished).toBeUndefined();
    expect(withEngine.bounded).toBe(false);
  });

  it('puts hop i on portBase + i unless the scenario gives the first hop a port', () => {
    const plan = planChain(parse({ hops: [{ id: 'a', port: 2600 }, { id: 'b' }, { id: 'c' }] }), { portBase: 3000 });
    expect(plan.hops.map((h) => h.fixedPort)).toEqual([
      { port: 2600, from: 'port: 2600 on hop a' },
      { port: 3001, from: '--port-base 3000' },
      { port: 3002, from: '--port-base 3000' },
    ]);
  });

  it('is frozen', () => {
    const plan = planChain(parse({}));
    expect(Object.isFrozen(plan) && Object.isFrozen(plan.links) && Object.isFrozen(plan.links[0]) && Object.isFrozen(plan.links[0].faults)).toBe(true);
    expect(() => (plan.senders as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('refuses what may not be bound, naming it, before anything starts', () => {
    expect(() => planChain(parse({}), { host: '10.0.0.1' })).toThrow(new MailhopError('ELOOPBACK', 'startChain: cannot bind 10.0.0.1: mock hops listen on loopback (127.0.0.0/8) only.'));
    const external = parse({ hops: [{ id: 'a' }, { id: 'gw', engine: 'external', host: '192.0.2.7', port: 25 }, { id: 'c' }] });
    expect(() => planChain(external)).toThrow(/^hop gw: cannot relay to the external gateway at 192\.0\.2\.7: it is not a loopback address/);
    expect(planChain(external, { allowExternal: true }).hops[1].external).toEqual({ host: '192.0.2.7', port: 25 });
    expect(() => planChain(parse({}), { portBase: 65534 })).toThrow(
      new MailhopError('EUSAGE', '--port-base 65534: cannot place 3 hops: hop i listens on 65534 + i, so they need ports 65534..65536, within 1..65535.'),
    );
  });
});
