/**
 * Keys and certificates: mock hops get theirs per run and in memory (a fresh CA per chain, no key
 * ever written to a file); real engines, which need files, get them in a private run folder (mode
 * 0700, the key unreadable by others) that is gone once the chain stops; and no private key is
 * committed to the repository.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs, { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Scenario, type ScenarioInput } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { availability } from '../support/engine.js';

/** A PEM private key header of any kind (PKCS#8, EC, RSA, ENCRYPTED...); written in two parts so this file does not match. */
const PRIVATE_KEY = new RegExp('-----BEGIN (?:[A-Z0-9]+ )*PRIVATE' + ' KEY-----');

const scenario = (input: Partial<ScenarioInput>) => Scenario.parse({ name: 'keys', messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }], ...input });

const restore: Array<() => void> = [];
afterEach(() => {
  for (const r of restore.splice(0)) r();
  syncBuiltinESMExports();
});

/** Records every file write (fs, sync, callback, promise and stream forms) whose data holds a private key. */
function spyOnKeyWrites(): string[] {
  const writes: string[] = [];
  const holdsKey = (data: unknown) => PRIVATE_KEY.test(Buffer.isBuffer(data) || typeof data === 'string' ? data.toString() : '');
  const wrap = (target: Record<string, unknown>, name: string, dataArg: number) => {
    const original = target[name] as (...a: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (holdsKey(args[dataArg])) writes.push(`${name}(${String(args[0])})`);
      return original.apply(this, args);
    };
    restore.push(() => (target[name] = original));
  };
  const sync = fs as unknown as Record<string, unknown>;
  for (const name of ['writeFileSync', 'writeFile', 'appendFileSync', 'appendFile']) wrap(sync, name, 1);
  for (const name of ['writeSync', 'write']) wrap(sync, name, 1);
  for (const name of ['writeFile', 'appendFile']) wrap(fs.promises as unknown as Record<string, unknown>, name, 1);
  const createWriteStream = fs.createWriteStream;
  sync.createWriteStream = (...args: Parameters<typeof fs.createWriteStream>) => {
    const stream = createWriteStream(...args);
    const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (holdsKey(chunk)) writes.push(`createWriteStream(${String(args[0])})`);
      return write(chunk, ...rest);
    }) as typeof stream.write;
    return stream;
  };
  restore.push(() => (sync.createWriteStream = createWriteStream));
  syncBuiltinESMExports(); // named imports of node:fs see the spies too
  return writes;
}

/** The certificate an implicit-TLS hop presents: its fingerprint and its public key. */
function presented(address: { host: string; port: number }): Promise<{ fingerprint: string; publicKey: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ ...address, servername: 'entry.mailhop.test', rejectUnauthorized: false });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      resolve({ fingerprint: cert?.fingerprint256 ?? '', publicKey: cert?.publicKey.export({ type: 'spki', format: 'der' }).toString('hex') ?? '' });
      socket.destroy();
    });
  });
}

describe('mock hops', () => {
  it('a chain writes no private key to any file, however it runs (STARTTLS, implicit TLS, an interceptor)', async () => {
    const writes = spyOnKeyWrites();
    await using chain = await startChain(scenario({
      hops: [{ id: 'entry', inbound: { starttls: 'implicit' } }, { id: 'relay', inbound: { cert: 'untrusted-ca' } }, { id: 'mx', inbound: { starttls: 'vulnerable-injection' } }],
      links: [{ from: 'relay', to: 'mx', fault: 'intercept' }],
    }));
    const report = await chain.run();
    expect(report.outcome).toBe('delivered');
    expect(writes).toEqual([]);
  });

  it('every chain makes its own keys: two chains of one scenario present different certificates and keys', async () => {
    const input = scenario({ hops: [{ id: 'entry', inbound: { starttls: 'implicit' } }, { id: 'mx' }] });
    await using first = await startChain(input);
    await using second = await startChain(input);
    const [a, b] = await Promise.all([presented(first.hops[0].server), presented(second.hops[0].server)]);
    expect(a.publicKey).not.toBe('');
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.publicKey).not.toBe(b.publicKey);
  });

  it('every run PKI has its own CA: a certificate one issues does not chain to another\'s CA', async () => {
    const [one, other] = await Promise.all([RunPki.create(), RunPki.create()]);
    const leaf = new X509Certificate((await one.issue('mx.mailhop.test', 'valid')).cert);
    expect(one.ca.cert).not.toBe(other.ca.cert);
    expect(leaf.checkIssued(new X509Certificate(one.ca.cert))).toBe(true);
    expect(leaf.verify(new X509Certificate(other.ca.cert).publicKey)).toBe(false);
  });
});

const ENGINES: Array<{ engine: RealEngineName; hops: ScenarioInput['hops'] }> = [
  { engine: 'postfix', hops: [{ id: 'keysafe', engine: 'postfix' }, { id: 'mx' }] },
  { engine: 'sendmail', hops: [{ id: 'keysafe', engine: 'sendmail' }, { id: 'mx' }] },
  { engine: 'exim', hops: [{ id: 'keysafe', engine: 'exim' }, { id: 'mx' }] },
  { engine: 'opensmtpd', hops: [{ id: 'keysafe', engine: 'opensmtpd', inbound: { starttls: 'none' } }, { id: 'mx' }] },
];

describe.each(ENGINES)('real engine $engine', ({ engine, hops }) => {
  const { usable, reason } = availability(engine);
  const folders = () => readdirSync(tmpdir()).filter((d) => d.startsWith(`mailhop-${engine}-keysafe-`)).map((d) => path.join(tmpdir(), d));

  it.skipIf(!usable)(`keeps its key in a private run folder (0700, key unreadable by others), removed when the chain stops${usable ? '' : ` (skipped: ${reason})`}`, async () => {
    const before = new Set(folders());
    const chain = await startChain(scenario({ hops }));
    let folder: string | undefined;
    try {
      const created = folders().filter((f) => !before.has(f));
      expect(created.length).toBe(1);
      folder = created[0];
      expect((statSync(folder).mode & 0o777).toString(8)).toBe('700');
      const key = path.join(folder, 'certs', 'key.pem');
      expect(PRIVATE_KEY.test(readFileSync(key, 'latin1'))).toBe(true);
      expect(statSync(key).mode & 0o007).toBe(0);
    } finally {
      await chain.stop();
    }
    expect(existsSync(folder!)).toBe(false);
  }, 60_000);
});

describe('the repository', () => {
  let tracked: string[] = [];
  try {
    tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    // not a git checkout (an installed package): nothing to check
  }

  it.skipIf(tracked.length === 0)(`commits no private key (${tracked.length} tracked files, node_modules excluded)`, () => {
    const withKeys = tracked.filter((file) => {
      if (file.split('/').includes('node_modules') || !existsSync(file) || !statSync(file).isFile()) return false;
      return PRIVATE_KEY.test(readFileSync(file, 'latin1'));
    });
    expect(withKeys).toEqual([]);
  });
});
