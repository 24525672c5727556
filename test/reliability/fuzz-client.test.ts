/**
 * Fuzzing mailhop's SMTP client side: a hostile `engine: external` server on loopback (hostile-server.ts)
 * is the last hop mail is relayed to (a mailbox after it waits in vain); the mock hop before it relays to
 * it through the link proxy, under an opportunistic, a mandatory or a verify policy, with a short reply
 * timeout. The server says what hostile-scripts.ts says: the adversarial replies the issue names, and
 * random dialogues from a seed. For every case:
 * - mailhop does not crash (no uncaught exception, no process warning);
 * - the run never goes quiet: some trace event at least every IDLE_LIMIT_MS (a reply timeout bounds each
 *   step of a session, so a longer silence is a hang, however loaded the machine), and stop() ends too;
 * - what the server sends cannot grow a session without bound: its transcript keeps at most
 *   MAX_REPLY_LINES lines per reply, none longer than MAX_REPLY_LINE;
 * - mailhop claims no TLS that did not happen: no more sessions with TLS than handshakes the server
 *   completed, no more sessions that sent the content encrypted than times the body (a marker in it)
 *   reached the server inside TLS, no `tls` verdict unless it did and never crossed in the clear, and
 *   never the body in the clear under `mandatory` or `verify`.
 *
 * Seeded: `MAILHOP_FUZZ_SEED` (default 1) and `MAILHOP_FUZZ_RUNS` (random cases, default 20) reproduce or
 * widen a run; a failure names the case, the seed and the policy.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { RunPki, type KeyCert } from '../../harness/pki/run-pki.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { SessionEvent } from '../../harness/trace/events.js';
import { MAX_REPLY_LINE, MAX_REPLY_LINES } from '../../harness/mta/reply-reader.js';
import { inPool } from './fuzz-kit.js';
import { startHostileServer, type HostileScript } from './hostile-server.js';
import { adversarialScripts, randomScript } from './hostile-scripts.js';

const SEED = Number(process.env.MAILHOP_FUZZ_SEED ?? 1);
const RUNS = Number(process.env.MAILHOP_FUZZ_RUNS ?? 20);
/** The relay's reply and handshake timeout (`outbound.timeout`), ms. */
const TIMEOUT_MS = 400;
/** Longest quiet spell allowed: a session has at most a dozen steps, each bounded by TIMEOUT_MS. */
const IDLE_LIMIT_MS = 12 * TIMEOUT_MS + 3_000;
/** Replies in one session, at most: greeting, EHLO, STARTTLS, EHLO, MAIL, RCPT, DATA, content, QUIT, and a HELO. */
const REPLIES_PER_SESSION = 10;
const LINK = 'relay->hostile';

const POLICIES = {
  opportunistic: { tls: 'opportunistic', fallback: 'reconnect' },
  mandatory: { tls: 'mandatory' },
  // The hostile server's certificate is from another CA: every handshake ends in a refusal.
  verify: { tls: 'verify' },
} as const;
type PolicyName = keyof typeof POLICIES;

interface FuzzCase {
  name: string;
  script: HostileScript;
  policy: PolicyName;
}

/**
 * Resolves with `work`'s value, or rejects once `lastActivity()` is IDLE_LIMIT_MS in the past while
 * `work` is still pending: a hang, told apart from a slow run by its silence.
 */
function unlessIdle<T>(work: Promise<T>, lastActivity: () => number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const quiet = Date.now() - lastActivity();
      if (quiet >= IDLE_LIMIT_MS) reject(new Error(`${what}: nothing happened for ${quiet} ms (hung)`));
      else timer = setTimeout(check, IDLE_LIMIT_MS - quiet);
    };
    let timer = setTimeout(check, IDLE_LIMIT_MS);
    work.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** Runs one case on its own chain; returns what mailhop got wrong, one sentence each. */
async function runCase(c: FuzzCase, keyCert: KeyCert): Promise<string[]> {
  const label = `"${c.name}" (${c.policy}, seed ${SEED})`;
  const marker = `body-marker-${SEED}-${c.name.length}`;
  const server = await startHostileServer(c.script, keyCert, marker);
  let lastEvent = Date.now();
  const scenario = Scenario.parse({
    name: 'hostile-last-hop',
    hops: [
      { id: 'relay', outbound: { ...POLICIES[c.policy], timeout: `${TIMEOUT_MS}ms`, retry: ['5m'] } },
      { id: 'hostile', engine: 'external', host: server.address.host, port: server.address.port },
      // Where the gateway would relay to (an external hop cannot be last); the hostile server never does.
      { id: 'mailbox' },
    ],
    messages: [{ from: 'alice@org.test', to: ['bob@partner.test'], subject: 'fuzz', body: `to a hostile server: ${marker}` }],
    runFor: '6m', // two attempts: at 0 and at 5m
  });
  // Nothing will come out of the hostile hop: no real-time wait for it once it took a message.
  const chain = await startChain(scenario, { engineSettleMs: 1 });
  chain.subscribe(() => (lastEvent = Date.now()));
  try {
    const report = await unlessIdle(chain.run(), () => lastEvent, label);
    const problems: string[] = [];
    const sessions = chain.events().filter((e): e is SessionEvent => e.kind === 'session' && e.link === LINK);
    const handshakes = server.connections.filter((k) => k.tls).length;
    const inside = server.connections.filter((k) => k.body.tls).length;
    const inClear = server.connections.some((k) => k.body.plain);
    const claimed = sessions.filter((s) => s.tls !== null).length;
    if (claimed > handshakes) problems.push(`${label}: ${claimed} sessions claim TLS, the server completed ${handshakes} handshakes`);
    const encrypted = sessions.filter((s) => s.contentSent?.encrypted).length;
    if (encrypted > inside) problems.push(`${label}: ${encrypted} sessions claim encrypted content, the server got the body inside TLS ${inside} times`);
    const verdicts = [report.links.find((l) => l.link === LINK)?.verdict, ...report.messages.map((m) => m.links.find((l) => l.link === LINK)?.verdict)];
    if (verdicts.some((v) => v === 'tls' || v === 'tls-verified') && (inside === 0 || inClear)) {
      problems.push(`${label}: verdict ${JSON.stringify(verdicts)} although the body reached the server inside TLS ${inside} times${inClear ? ' and in the clear' : ''}`);
    }
    if (c.policy !== 'opportunistic' && inClear) problems.push(`${label}: the body crossed in the clear under ${c.policy}`);
    for (const s of sessions) {
      const received = s.transcript.filter((l) => l.dir === 'S');
      const longest = Math.max(0, ...received.map((l) => Buffer.byteLength(l.text)));
      if (received.length > REPLIES_PER_SESSION * MAX_REPLY_LINES || longest > MAX_REPLY_LINE) {
        problems.push(`${label}: session ${s.attempt}.${s.connection} kept ${received.length} reply lines, the longest ${longest} octets`);
      }
    }
    return problems;
  } finally {
    await unlessIdle(Promise.all([chain.stop(), server.close()]), () => lastEvent, `${label}, stopping`);
  }
}

describe('fuzzing the client side: a hostile last hop', () => {
  let keyCert: KeyCert;
  const crashes: Error[] = [];
  const warnings: Error[] = [];
  const onCrash = (err: Error) => crashes.push(err);
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeAll(async () => {
    keyCert = await (await RunPki.create()).issue('hostile.mailhop.test', 'valid');
  });
  beforeEach(() => {
    crashes.length = 0;
    warnings.length = 0;
    process.on('uncaughtExceptionMonitor', onCrash);
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('uncaughtExceptionMonitor', onCrash);
    process.off('warning', onWarning);
  });

  const adversarial = adversarialScripts(TIMEOUT_MS);
  const random = Array.from({ length: RUNS }, (_, i) => ({ name: `random #${SEED * 1000 + i}`, script: randomScript(SEED * 1000 + i, TIMEOUT_MS) }));
  const groups: Array<[string, FuzzCase[]]> = [
    ['adversarial replies, opportunistic with a plaintext reconnect', adversarial.map((a) => ({ ...a, policy: 'opportunistic' }))],
    ['adversarial replies around STARTTLS, mandatory TLS', adversarial.filter((a) => /TLS/.test(a.name)).map((a) => ({ ...a, policy: 'mandatory' }))],
    ['random replies', random.map((r, i) => ({ ...r, policy: (['opportunistic', 'mandatory', 'opportunistic', 'verify'] as const)[i % 4] }))],
  ];

  it.each(groups)('%s: no crash, no hang, no TLS claimed that did not happen', async (_, cases) => {
    const problems = (await inPool(cases, 6, (c) => runCase(c, keyCert))).flat();
    expect(problems).toEqual([]);
    expect(crashes).toEqual([]);
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  }, 60_000);
});
