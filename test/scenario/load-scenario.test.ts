import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailhopError } from '../../harness/errors.js';
import { loadScenarioFile, loadScenarios, loadScenarioText, ScenarioError } from '../../harness/scenario/load-scenario.js';

/** Runs `load` and returns the ScenarioError it throws (failing the test if it does not throw one). */
async function problemsOf(load: () => unknown): Promise<ScenarioError> {
  try {
    await load();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err).toBeInstanceOf(MailhopError);
    expect((err as ScenarioError).code).toBe('ESCENARIO');
    return err as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but the scenario loaded');
}

async function messageOf(load: () => unknown): Promise<string> {
  return (await problemsOf(load)).message;
}

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const VALID = lines(
  'name: two-hops',
  'hops:',
  '  - id: mx',
  '    inbound: { starttls: require }',
  '    outbound: { tls: mandatory, retry: [1s, 1500] }',
  '  - id: partner',
  'messages:',
  '  - from: alice@sender.test',
  '    to: [bob@partner.test]',
  'expect:',
  '  links: { "client->mx": tls, "mx->partner": tls }',
  'runFor: 2h',
);

describe('loadScenarioText', () => {
  it('loads a valid scenario with defaults filled in and durations in ms', () => {
    const { file, scenario } = loadScenarioText(VALID, 'two-hops.yaml');
    expect(file).toBe('two-hops.yaml');
    expect(scenario.runFor).toBe(7_200_000);
    expect(scenario.submit).toEqual({
      tls: 'opportunistic', retry: [300_000, 600_000, 1_200_000, 2_400_000, 3_600_000], maxAge: 432_000_000,
      timeout: 5_000, concurrencyLimit: 20, reuse: 'none', fallback: 'reconnect', fallbackAfter: 300_000, fallbackMemory: 'message', starttlsRejected: 'continue',
    });
    expect(scenario.hops[0]).toEqual({
      id: 'mx',
      engine: 'mock',
      inbound: { starttls: 'require', cert: 'valid', greetingDelay: 0 },
      outbound: { tls: 'mandatory', retry: [1_000, 1_500], maxAge: 432_000_000, timeout: 5_000, concurrencyLimit: 20, reuse: 'none' },
    });
    expect(scenario.hops[1].outbound?.tls).toBe('opportunistic');
    expect(scenario.messages[0]).toEqual({
      from: 'alice@sender.test', to: ['bob@partner.test'], subject: 'mailhop test message', headers: {}, attachments: [],
    });
  });

  it('returns a deep-frozen result', () => {
    const loaded = loadScenarioText(VALID, 'two-hops.yaml');
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.scenario.hops[0].outbound?.retry)).toBe(true);
    expect(() => (loaded.scenario.hops as unknown[]).push({})).toThrow(TypeError);
  });

  it('reports an unknown nested key at the key, listing the allowed keys', async () => {
    const text = lines('name: x', 'hops:', '  - id: mx', '    inbound:', '      starttls: offer', '      foo: 1', 'messages: [{ from: a@b.test, to: [c@d.test] }]');
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(
      'f.yaml:6:7: hops[0].inbound: unknown key "foo" (allowed: starttls, cert, tls, greetingDelay, received, auth, requireTls, ehlo)',
    );
  });

  it('lists the allowed keys of the outbound variant the `tls` value selects', async () => {
    const text = lines('name: x', 'hops:', '  - id: mx', '    outbound: { tls: mandatory, fallback: never }', 'messages: [{ from: a@b.test, to: [c@d.test] }]');
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(
      'f.yaml:4:33: hops[0].outbound: unknown key "fallback" (allowed: tls, retry, maxAge, timeout, replies, concurrencyLimit, reuse, connectionCache, reuseProbe, pipelining, route, dane, mtaSts, mtaStsCache, mtaStsCheck, daneRequiredMissing, requireTls, tlsCiphers, tlsMinVersion, tlsMaxVersion, starttlsTimeout, starttlsTrailingData, tlsResumption)',
    );
  });

  it('reports a wrong enum value with the allowed values, for enums and for the `tls` discriminator', async () => {
    const text = lines(
      'name: x',
      'hops:',
      '  - id: mx',
      '    inbound: { starttls: offr }',
      '    outbound: { tls: opportunistc }',
      'messages: [{ from: a@b.test, to: [c@d.test] }]',
    );
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(lines(
      'f.yaml:4:26: hops[0].inbound.starttls: must be one of offer, none, hidden, implicit, fake-454, fake-502, require, fake-reply, break-handshake, vulnerable-injection; got "offr"',
      'f.yaml:5:22: hops[0].outbound.tls: must be one of none, opportunistic, mandatory, verify, preserve-inbound; got "opportunistc"',
    ).trimEnd());
  });

  it('reports wrong types and bad durations', async () => {
    const text = lines(
      'name: x',
      'hops: [{ id: mx, inbound: { greetingDelay: true } }]',
      'messages:',
      '  - from: a@b.test',
      '    to: c@d.test',
      'runFor: 5 minutes',
    );
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(lines(
      'f.yaml:2:44: hops[0].inbound.greetingDelay: must be a number or a string; got true',
      'f.yaml:5:9: messages[0].to: must be an array; got "c@d.test"',
      'f.yaml:6:9: runFor: must be a duration such as 300ms, 1s, 5m, 2h or 5d; got "5 minutes"',
    ).trimEnd());
  });

  it('reports a duplicate hop id at the second id', async () => {
    const text = lines('name: x', 'hops:', '  - id: mx', '  - id: mx', 'messages: [{ from: a@b.test, to: [c@d.test] }]');
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(
      'f.yaml:4:9: hops[1].id: duplicate hop id "mx" (first used by hops[0])',
    );
  });

  it('refuses attempts: on a link whose sender is a real engine or an external gateway (no attempt is ever announced there)', async () => {
    const text = lines(
      'name: x',
      'hops: [{ id: ex, engine: exim }, { id: gw, engine: external, host: 127.0.0.9, port: 2525 }, { id: mx }]',
      'links:',
      '  - { from: ex, to: gw, fault: kill-handshake, attempts: [1] }',
      '  - { from: gw, to: mx, fault: strip-starttls, attempts: [2] }',
      'messages: [{ from: a@b.test, to: [c@d.test] }]',
    );
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe([
      'f.yaml:4:58: links[0].attempts: cannot count attempts on ex->gw: its sender is a real exim, which does not tell mailhop which attempt a connection is; remove attempts: (the fault then acts on every connection)',
      'f.yaml:5:58: links[1].attempts: cannot count attempts on gw->mx: its sender is an external gateway, which does not tell mailhop which attempt a connection is; remove attempts: (the fault then acts on every connection)',
    ].join('\n'));
  });

  it('reports expect.links naming a link that does not exist, at the link name', async () => {
    const text = lines('name: x', 'hops: [{ id: a }, { id: b }]', 'messages: [{ from: a@b.test, to: [c@d.test] }]', 'expect:', '  links:', '    a->c: tls');
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(
      'f.yaml:6:5: expect.links["a->c"]: no such link "a->c"; the links are client->a, a->b',
    );
  });

  it('reports a missing required key at the mapping that lacks it', async () => {
    const text = lines('# no name', 'hops: [{ id: mx }]', 'messages:', '  - to: [c@d.test]');
    expect(await messageOf(() => loadScenarioText(text, 'f.yaml'))).toBe(lines(
      'f.yaml:2:1: missing required key "name"',
      'f.yaml:4:5: messages[0]: missing required key "from"',
    ).trimEnd());
  });

  it('reports YAML syntax errors and duplicate keys with their positions', async () => {
    expect(await messageOf(() => loadScenarioText(lines('name: x', 'hops: [{ id: mx }', 'messages: []'), 'f.yaml'))).toBe(
      'f.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(await messageOf(() => loadScenarioText(lines('name: x', 'hops:', '  - id: a', '    id: b', 'name: y'), 'f.yaml'))).toBe(lines(
      'f.yaml:4:5: hops[0]: duplicate key "id"',
      'f.yaml:5:1: duplicate key "name"',
    ).trimEnd());
    expect(await messageOf(() => loadScenarioText('name: !secret x\n', 'f.yaml'))).toBe('f.yaml:1:7: invalid YAML: Unresolved tag: !secret');
  });

  it('refuses a document that is not a mapping', async () => {
    expect(await messageOf(() => loadScenarioText('- a\n- b\n', 'f.yaml'))).toBe(
      'f.yaml:1:1: a scenario must be a mapping (name, hops, messages, ...); got an array',
    );
    expect(await messageOf(() => loadScenarioText('# nothing here\n', 'f.yaml'))).toBe(
      'f.yaml:1:1: a scenario must be a mapping (name, hops, messages, ...); got an empty document',
    );
  });

  it('refuses an alias bomb without expanding it', async () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) {
      rows.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    // Refused before expansion: the message names the limit (an expanding loader would build 9^9 nodes first and time out).
    expect(await messageOf(() => loadScenarioText(lines(...rows), 'bomb.yaml'))).toBe(
      'bomb.yaml:2:8: aliases expand to too many nodes (limit 100); refusing a possible "billion laughs" document',
    );
  });

  it('refuses more than 100 aliases, even small ones', async () => {
    const rows = Array.from({ length: 101 }, (_, i) => `k${i}: &a${i} 1\nl${i}: *a${i}`);
    expect(await messageOf(() => loadScenarioText(lines(...rows), 'many.yaml'))).toBe(
      'many.yaml:202:7: more than 100 aliases; refusing a possible "billion laughs" document',
    );
  });

  it('accepts a few aliases', () => {
    const text = lines(
      'name: x',
      'hops:',
      '  - { id: a, outbound: &strict { tls: mandatory, retry: [1s] } }',
      '  - { id: b, outbound: *strict }',
      'messages: [{ from: a@b.test, to: [c@d.test] }]',
    );
    expect(loadScenarioText(text, 'f.yaml').scenario.hops[1].outbound).toEqual({ tls: 'mandatory', retry: [1_000], maxAge: 432_000_000, timeout: 5_000, concurrencyLimit: 20, reuse: 'none' });
  });

  it('lists at most 50 problems per file, even for 40,000 keys', async () => {
    const text = lines(...Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`));
    const error = await problemsOf(() => loadScenarioText(text, 'keys.yaml'));
    expect(error.problems).toHaveLength(51);
    expect(error.message.split('\n').slice(-2)).toEqual([
      // The missing name and hops come first; the missing messages (checked beside every other problem) among those not shown.
      'keys.yaml:48:1: unknown key "k47" (allowed: $schema, name, description, submit, hops, messages, expect, links, runFor, dns)',
      'keys.yaml:48:1: 39953 more problems not shown',
    ]);
  });

  it('refuses text over 1 MiB', async () => {
    const text = `name: x\n${'#'.repeat(1024 * 1024)}\n`;
    expect(await messageOf(() => loadScenarioText(text, 'big.yaml'))).toBe(
      'big.yaml:1:1: file is 1048585 bytes; scenario files are limited to 1048576 bytes (1 MiB)',
    );
  });
});

describe('loading files and directories', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailhop-scenario-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const scenario = (name: string) => lines(`name: ${name}`, 'hops: [{ id: mx }]', 'messages: [{ from: a@b.test, to: [c@d.test] }]');

  it('loads a file', async () => {
    await writeFile(join(dir, 'one.yaml'), scenario('one'));
    const loaded = await loadScenarioFile(join(dir, 'one.yaml'));
    expect(loaded.file).toBe(join(dir, 'one.yaml'));
    expect(loaded.scenario.name).toBe('one');
  });

  it('refuses a file over 1 MiB without parsing it', async () => {
    await writeFile(join(dir, 'big.yaml'), `name: x\n${'#'.repeat(1024 * 1024)}\n`);
    expect(await messageOf(() => loadScenarioFile(join(dir, 'big.yaml')))).toBe(
      `${join(dir, 'big.yaml')}:1:1: file is 1048585 bytes; scenario files are limited to 1048576 bytes (1 MiB)`,
    );
  });

  it('loads a directory recursively, sorted by path, skipping schema.json and other files', async () => {
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'b.yml'), scenario('b'));
    await writeFile(join(dir, 'a.yaml'), scenario('a'));
    await writeFile(join(dir, 'nested', 'c.yaml'), scenario('c'));
    await writeFile(join(dir, 'schema.json'), '{}');
    await writeFile(join(dir, 'README.md'), '# not a scenario');
    const loaded = await loadScenarios([dir, join(dir, 'a.yaml')]);
    expect(loaded.map((l) => l.file)).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml'), join(dir, 'nested', 'c.yaml')]);
    expect(Object.isFrozen(loaded[0].scenario)).toBe(true);
  });

  it('lists the problems of every bad file in a directory at once', async () => {
    await writeFile(join(dir, 'a.yaml'), lines('name: a', 'hops: [{ id: mx, inbound: { starttls: maybe } }]', 'messages: [{ from: a@b.test, to: [c@d.test] }]'));
    await writeFile(join(dir, 'b.yaml'), scenario('b'));
    await writeFile(join(dir, 'c.yaml'), lines('name: c', 'hops: [{ id: mx, colour: red }]'));
    expect(await messageOf(() => loadScenarios([dir]))).toBe(lines(
      `${join(dir, 'a.yaml')}:2:39: hops[0].inbound.starttls: must be one of offer, none, hidden, implicit, fake-454, fake-502, require, fake-reply, break-handshake, vulnerable-injection; got "maybe"`,
      `${join(dir, 'c.yaml')}:1:1: messages: needs at least one message for the mailhop client to submit (or submit: { sender: app }, where your application sends)`,
      `${join(dir, 'c.yaml')}:2:18: hops[0]: unknown key "colour" (allowed: id, engine, host, port, preset, inbound, outbound, tlsRpt)`,
    ).trimEnd());
  });

  it('reports duplicate names across files at the later name, and paths that do not exist', async () => {
    await writeFile(join(dir, 'a.yaml'), scenario('same'));
    await writeFile(join(dir, 'b.yaml'), `# copy of a.yaml\n${scenario('same')}`);
    const error = await problemsOf(() => loadScenarios([dir, join(dir, 'missing.yaml')]));
    expect(error.message).toBe(lines(
      `${join(dir, 'b.yaml')}:2:7: name: duplicate scenario name "same" (also used by ${join(dir, 'a.yaml')})`,
      `${join(dir, 'missing.yaml')}:1:1: no such file or directory`,
    ).trimEnd());
    expect(error.problems).toEqual([
      { file: join(dir, 'b.yaml'), line: 2, column: 7, path: 'name', message: `duplicate scenario name "same" (also used by ${join(dir, 'a.yaml')})` },
      { file: join(dir, 'missing.yaml'), line: 1, column: 1, path: '', message: 'no such file or directory' },
    ]);
  });

  it('reports a directory without scenario files', async () => {
    expect(await messageOf(() => loadScenarios([dir]))).toBe(`${dir}:1:1: no scenario files (*.yaml, *.yml) in this directory`);
  });
});

describe('duration bounds', () => {
  // A zero retry never moves the virtual clock, an "Infinity" runFor never ends, and a timeout past
  // 2^31-1 ms silently becomes 1 ms in Node's timers: each is refused where it is written.
  it('refuses a retry below 1s, a real-time wait above 1h and a duration beyond 3650d', () => {
    const text = [
      'name: bounds',
      'hops:',
      '  - id: relay',
      '    outbound: { tls: mandatory, retry: [0], timeout: 30d }',
      '  - id: mailbox',
      'messages: [{ from: a@b.test, to: [c@d.test] }]',
      `runFor: ${'9'.repeat(400)}d`,
    ].join('\n');
    expect(() => loadScenarioText(text, 'b.yaml')).toThrow(
      [
        'b.yaml:4:41: hops[0].outbound.retry[0]: must be at least 1s (a retry delay); got 0',
        'b.yaml:4:54: hops[0].outbound.timeout: must be at most 1h (a real-time wait); got "30d"',
        `b.yaml:7:9: runFor: must be at most 3650d; got "${'9'.repeat(57)}"...`,
      ].join('\n'),
    );
  });
});

describe('waits and durations a timer or a run cannot keep', () => {
  it('refuses a greeting delay past 1h (a Node timer past ~24.8 days fires after 1 ms), and says .inf is no duration', () => {
    const text = [
      'name: bounds',
      'hops:',
      '  - id: relay',
      '    inbound: { greetingDelay: 25d }',
      '    outbound: { tls: mandatory, maxAge: .inf }',
      '  - { id: mx, engine: external, host: 127.0.0.1, port: .inf }',
      'messages: [{ from: a@b.test, to: [c@d.test] }]',
      'runFor: .inf',
    ].join('\n');
    expect(() => loadScenarioText(text, 'b.yaml')).toThrow(
      [
        'b.yaml:4:31: hops[0].inbound.greetingDelay: must be at most 1h (a real-time wait); got "25d"',
        'b.yaml:5:41: hops[0].outbound.maxAge: must be a finite duration such as 300ms, 1s, 5m, 2h or 5d (at most 3650d); got .inf',
        'b.yaml:6:56: hops[1].port: must be a finite number; got .inf',
        'b.yaml:8:9: runFor: must be a finite duration such as 300ms, 1s, 5m, 2h or 5d (at most 3650d); got .inf',
      ].join('\n'),
    );
  });
});

describe('addresses off this machine', () => {
  const text = lines(
    'name: elsewhere',
    'hops:',
    '  - id: gw',
    '    engine: external',
    '    host: 192.0.2.10',
    '    port: 25',
    '  - { id: mx, host: 192.0.2.11, port: 2525 }',
    'messages: [{ from: a@b.test, to: [c@d.test] }]',
  );

  it('refuses an external hop and the hop listening for it at non-loopback addresses, where they are written', async () => {
    expect(await messageOf(() => loadScenarioText(text, 'e.yaml'))).toBe([
      'e.yaml:5:11: hops[0].host: external hop gw at 192.0.2.10: not a loopback address (127.0.0.0/8); only --allow-external (API: { allowExternal: true }) lets a scenario reach another machine',
      'e.yaml:7:21: hops[1].host: hop mx listening on 192.0.2.11: not a loopback address (127.0.0.0/8); only --allow-external (API: { allowExternal: true }) lets a scenario reach another machine',
    ].join('\n'));
  });

  it('accepts them with allowExternal, and loopback ones without', () => {
    expect(loadScenarioText(text, 'e.yaml', { allowExternal: true }).scenario.hops.map((h) => h.host)).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(loadScenarioText(text.replace('192.0.2.10', '127.0.0.1').replace('192.0.2.11', '127.0.0.2'), 'e.yaml').scenario.hops[1].host).toBe('127.0.0.2');
  });
});
