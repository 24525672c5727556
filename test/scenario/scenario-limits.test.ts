/**
 * What a scenario may ask of a run (scenario-limits.ts): hops, messages, delivery attempts per message and
 * in all. A file past a limit is refused where it is loaded, with the key's position, the value and the
 * limit, by `validate`, `run` and `up` alike (exit 2, nothing listens); and the attempt count the check
 * uses is the one a real queue makes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.js';
import { startChain } from '../../harness/chain/chain.js';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { attemptsPerMessage, SCENARIO_LIMITS } from '../../harness/scenario/scenario-limits.js';

/** The 400-byte file that ran for ever: one message deferred every second for ten years of virtual time. */
const NEVER_ENDS = `name: never-ends
hops:
  - id: relay
    outbound: { tls: mandatory, retry: [1s], maxAge: 3650d }
  - id: mx
    inbound: { starttls: none }
messages:
  - { from: alice@org.test, to: [bob@partner.test] }
runFor: 3650d
`;

const hops = (n: number, outbound = '') => Array.from({ length: n }, (_, i) => `  - id: h${i}${outbound}`).join('\n');
const messages = (n: number) => Array.from({ length: n }, () => '  - { from: a@b.test, to: [c@d.test] }').join('\n');

const FILES: Record<string, string> = {
  'never-ends.yaml': NEVER_ENDS,
  'many-hops.yaml': `name: many-hops\nhops:\n${hops(5_000)}\nmessages:\n${messages(1)}\n`,
  'many-messages.yaml': `name: many-messages\nhops:\n${hops(2)}\nmessages:\n${messages(10_001)}\n`,
  // Each link within its own limit (3,601 attempts in the default 1h), but 50 links x 10 messages together are not.
  'many-sessions.yaml': `name: many-sessions\nhops:\n${hops(50, '\n    outbound: { retry: [1s] }')}\nmessages:\n${messages(10)}\n`,
};

const dir = mkdtempSync(path.join(tmpdir(), 'mailhop-limits-'));
for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (file: string) => path.join(dir, file);

const PROBLEMS: Record<string, string> = {
  'never-ends.yaml': `${at('never-ends.yaml')}:4:40: hops[0].outbound.retry: [1s] until maxAge 3650d (runFor 3650d) makes up to 315360001 delivery attempts per message; at most 10000 (lengthen the delays, or shorten maxAge or runFor)`,
  'many-hops.yaml': `${at('many-hops.yaml')}:2:1: hops: 5000 hops; a chain has at most 100 (RFC 5321 §6.3 takes that many Received headers for a mail loop)`,
  'many-messages.yaml': `${at('many-messages.yaml')}:5:1: messages: 10001 messages; a scenario lists at most 10000 (send more with chain.send())`,
  'many-sessions.yaml': `${at('many-sessions.yaml')}:103:1: messages: 10 messages with up to 176453 delivery attempts each (over 50 links) could take 1764530 SMTP sessions; a run takes at most 1000000 (fewer messages, longer retry delays, or a shorter maxAge or runFor)`,
};

describe('scenario limits through the command line', () => {
  const listen = net.Server.prototype.listen;
  const write = process.stderr.write;
  afterEach(() => {
    net.Server.prototype.listen = listen;
    process.stderr.write = write;
  });

  /** Runs the CLI in process; what it wrote to stderr, and every listen it made. */
  async function cli(...argv: string[]): Promise<{ code: number; stderr: string; listens: number }> {
    let stderr = '';
    let listens = 0;
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      listens++;
      return (listen as (...a: unknown[]) => net.Server).apply(this, args);
    } as typeof listen;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await main(argv);
      return { code, stderr, listens };
    } finally {
      process.stderr.write = write;
      net.Server.prototype.listen = listen;
    }
  }

  it.each(Object.keys(FILES).flatMap((file) => ['validate', 'run', 'up'].map((command) => [command, file])))(
    'mailhop %s %s: exit 2, the key, the value and the limit, nothing listens',
    async (command, file) => {
      expect(await cli(command, at(file))).toEqual({ code: 2, stderr: `${PROBLEMS[file]}\n`, listens: 0 });
    },
    30_000,
  );
});

describe('attempts per message', () => {
  it('is the number of sessions a queue opens for a message deferred every time: until maxAge, or until runFor', async () => {
    const scenario = (maxAge: string, runFor: string) => loadScenarioText(
      NEVER_ENDS.replace('maxAge: 3650d', `maxAge: ${maxAge}`).replace('runFor: 3650d', `runFor: ${runFor}`),
      'bounded.yaml',
    ).scenario;
    const counted: number[] = [];
    for (const s of [scenario('10s', '1h'), scenario('1h', '5s')]) {
      await using chain = await startChain(s);
      await chain.run();
      counted.push(chain.events().filter((e) => e.kind === 'session' && e.link === 'relay->mx').length);
    }
    // 0, 1 s, ..., 9 s and the last at 10 s; then 0, 1 s, ..., 5 s before the run ends.
    expect(counted).toEqual([11, 6]);
    expect([attemptsPerMessage([1_000], 10_000, 3_600_000), attemptsPerMessage([1_000], 3_600_000, 5_000)]).toEqual(counted);
  }, 30_000);

  it('follows a schedule whose last delay repeats, and a maxAge that cuts a delay short', () => {
    // Postfix's defaults (5m, 10m, 20m, 40m, then 4000s) for 5 days: at 0, 5m, 15m, 35m, 75m, then every 4000s
    // (105 more before 5 days) and the last at 5 days.
    expect(attemptsPerMessage([300_000, 600_000, 1_200_000, 2_400_000, 4_000_000], 432_000_000, 432_000_000)).toBe(6 + 105 + 1);
    expect(attemptsPerMessage([3_000], 10_000, 3_600_000)).toBe(5); // 0, 3 s, 6 s, 9 s, and at 10 s
    expect(attemptsPerMessage([1_000], 0, 3_600_000)).toBe(1);
    expect(SCENARIO_LIMITS.attemptsPerMessage).toBeGreaterThan(attemptsPerMessage([1_000], 3_600_000, 3_600_000));
  });
});
