/**
 * The error code table (harness/errors.ts): every code comes out of a real throw site with its message
 * written from the one template, `<where>: cannot <what>: <why>. <hint>`, checked verbatim; the CLI takes
 * its exit code from the table; the README's table says what the code table says.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, errorMessage, exitCodeOf, MailhopError, skipReasonOf, type MailhopErrorCode } from '../harness/errors.js';
import { main } from '../harness/cli/main.js';
import { parseShard } from '../harness/cli/select-scenarios.js';
import { loadScenarioText } from '../harness/scenario/load-scenario.js';
import { parseWebAddress } from '../harness/web/web-address.js';
import { LinkProxy } from '../harness/link/link-proxy.js';
import { containerRuntime } from '../harness/runtime/container-runtime.js';
import { startEngine } from '../harness/engines/start-engine.js';
import { mtaPaths } from '../harness/engines/mta-paths.js';
import { SessionSlots } from '../harness/mta/session-slots.js';
import { SmtpClient } from '../harness/mta/smtp-client.js';
import { startHopServer } from '../harness/mta/hop-server.js';
import { RunPki } from '../harness/pki/run-pki.js';
import { Inbound } from '../harness/scenario/schema.js';
import { availability, engineOptions } from './support/engine.js';
import { startRawServer } from './support/link.js';
import { unusedPort } from './support/ports.js';

/** The error `run` ends with (fails the test when it does not throw). */
async function thrown(run: () => unknown): Promise<MailhopError> {
  const err = await Promise.resolve().then(run).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MailhopError);
  return err as MailhopError;
}

/** What a MailhopError says about itself, for one verbatim comparison. */
const said = (err: MailhopError) => ({ code: err.code, message: err.message, hop: err.hop, link: err.link });

/** An SMTP client of a raw test server, which the test scripts line by line. */
const clientOf = (port: number, timeoutMs = 2_000) =>
  SmtpClient.connect({ host: '127.0.0.1', port, ehloName: 'client.mailhop.test', timeoutMs, servername: 'mx.mailhop.test', ca: [] });

describe('the message template', () => {
  it('is <where>: cannot <what>: <why>. <hint>, with one period whatever <why> ends with, and lines of detail after', () => {
    expect(errorMessage({ where: 'hop relay', what: 'listen on 127.0.0.1:25', why: 'not allowed to bind it (EACCES)' })).toBe('hop relay: cannot listen on 127.0.0.1:25: not allowed to bind it (EACCES).');
    expect(errorMessage({ where: 'x', what: 'y', why: 'z.', hint: 'Do w.' })).toBe('x: cannot y: z. Do w.');
    expect(errorMessage({ where: 'x', what: 'y', why: 'z', detail: '  last output:\n    a' })).toBe('x: cannot y: z.\n  last output:\n    a');
  });

  it('MailhopError.of keeps hop and link apart, and the cause', () => {
    const cause = new Error('inner');
    const err = MailhopError.of('EBIND', { where: 'link a->b', what: 'listen', why: 'taken', link: 'a->b', cause });
    expect(err).toMatchObject({ name: 'MailhopError', code: 'EBIND', link: 'a->b', hop: undefined, cause });
  });
});

describe('each code, from its throw site', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('EUSAGE: a bad --runtime is said once by the CLI, which exits 2 (it used to escape main as an exception)', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--runtime', 'vm', 'run', 'scenarios/all-hops-offer-encrypted.yaml'])).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual(['mailhop run: --runtime vm: cannot run hops there: the runtimes are in-process, workers and containers.\n']);
    } finally {
      stderr.mockRestore();
    }
    expect(said(await thrown(() => parseShard('4/3')))).toEqual({
      code: 'EUSAGE', message: '--shard "4/3": cannot cut the run into shards: expected i/n with 1 <= i <= n (e.g. 2/4).', hop: undefined, link: undefined,
    });
  });

  it('ESCENARIO: every problem of a scenario file, one per line, file:line:column first', async () => {
    const err = await thrown(() => loadScenarioText('name: Not Kebab\nhops: []\n', 'bad.yaml'));
    expect(err.code).toBe('ESCENARIO');
    expect(err.message).toBe(
      'bad.yaml:1:1: messages: needs at least one message for the mailhop client to submit (or submit: { sender: app }, where your application sends)\nbad.yaml:1:7: name: must be kebab-case; got "Not Kebab"\nbad.yaml:2:7: hops: must have at least 1 item',
    );
  });

  it('ELOOPBACK: the web view on an address off 127.0.0.1', async () => {
    expect(said(await thrown(() => parseWebAddress('0.0.0.0:8025')))).toEqual({
      code: 'ELOOPBACK',
      message: '--web 0.0.0.0:8025: cannot serve the web view on 0.0.0.0: it listens on 127.0.0.1 only (it shows messages and transcripts).',
      hop: undefined,
      link: undefined,
    });
  });

  it('EBIND: a link proxy on a taken port names the link in `link`, not in `hop`; a hop server names its hop', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await thrown(() => LinkProxy.start({ name: 'client->mx', host: '127.0.0.1', port: taken, target: { host: '127.0.0.1', port: 9 } }));
      expect(said(err)).toEqual({ code: 'EBIND', message: `link client->mx: cannot listen on 127.0.0.1:${taken}: the port is in use (EADDRINUSE).`, hop: undefined, link: 'client->mx' });
      expect(exitCodeOf(err)).toBe(2);
      const pki = await RunPki.create();
      const hop = await thrown(async () => startHopServer({
        hopId: 'mx', hostname: 'mx.mailhop.test', inbound: Inbound.parse({}), keyCert: await pki.issue('mx.mailhop.test', 'valid'), inboundLink: 'client->mx',
        emit: () => {}, date: () => new Date(), onMessage: () => {}, port: taken,
      }));
      expect(said(hop)).toEqual({ code: 'EBIND', message: `hop mx: cannot listen on 127.0.0.1:${taken}: the port is in use (EADDRINUSE).`, hop: 'mx', link: undefined });
    } finally {
      blocker.close();
    }
  });

  it('ENORUNTIME: no container engine answers, which chainTest takes as a reason to skip', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:1');
    const err = await thrown(() => containerRuntime());
    expect(said(err)).toEqual({
      code: 'ENORUNTIME',
      message:
        'container runtime: cannot start containers: no container engine: GET /_ping failed: connect ECONNREFUSED 127.0.0.1:1 (tried DOCKER_HOST=tcp://127.0.0.1:1). Start a container engine (Docker or Podman), or point DOCKER_HOST at one.',
      hop: undefined,
      link: undefined,
    });
    expect(skipReasonOf(err)).toBe(err.message);
  });

  it('ENOENGINE: a real MTA whose programs are missing, named with the hop and what to run', async () => {
    const err = await thrown(async () => startEngine(await engineOptions('relay', 'sendmail', undefined, { paths: mtaPaths('/nonexistent/mtas') })));
    expect(said(err)).toEqual({
      code: 'ENOENGINE',
      message:
        'hop relay (sendmail): cannot run sendmail: it is not installed here: /nonexistent/mtas/sendmail/usr/libexec/sendmail/sendmail, /nonexistent/mtas/sendmail/usr/libexec/sendmail/makemap, /nonexistent/mtas/sendmail/usr/share/sendmail/cf/m4/cf.m4 missing. Run "mailhop install-mtas" as root (mailhop doctor tells what else is needed).',
      hop: 'relay',
      link: undefined,
    });
    expect(skipReasonOf(err)).toBe(err.message);
  });

  it.skipIf(!availability('postfix').usable)(`ESTART: an installed MTA whose start fails${availability('postfix').usable ? '' : ` (skipped: ${availability('postfix').reason})`}`, async () => {
    const paths = mtaPaths();
    const broken = { ...paths, tools: { ...paths.tools, setpriv: '/nonexistent/setpriv' } };
    const err = await thrown(async () => startEngine(await engineOptions('broken', 'postfix', undefined, { paths: broken })));
    expect(said(err)).toEqual({ code: 'ESTART', message: 'hop broken (postfix): cannot start postfix: spawn /nonexistent/setpriv ENOENT.', hop: 'broken', link: undefined });
    expect(skipReasonOf(err)).toBeUndefined();
  });

  it('EINTERNAL: an invariant the schema guarantees, broken; a command it ends exits 70', async () => {
    const err = await thrown(() => new SessionSlots(0));
    expect(said(err)).toEqual({ code: 'EINTERNAL', message: 'session slots: cannot allow 0 sessions at once: a concurrency limit is an integer >= 1.', hop: undefined, link: undefined });
    expect(exitCodeOf(err)).toBe(70);
  });

  it('ESOCKET: a connection refused', async () => {
    const port = await unusedPort();
    expect(said(await thrown(() => clientOf(port)))).toEqual({
      code: 'ESOCKET', message: `connect to 127.0.0.1:${port} failed: connect ECONNREFUSED 127.0.0.1:${port}`, hop: undefined, link: undefined,
    });
  });

  it('ETIMEOUT: a server that accepts and never greets', async () => {
    await using server = await startRawServer(() => {});
    const client = await clientOf(server.port, 50);
    const err = await thrown(() => client.readReply());
    expect({ ...said(err), command: err.command }).toEqual({ code: 'ETIMEOUT', message: 'no reply to greeting within 50 ms', hop: undefined, link: undefined, command: 'greeting' });
    client.destroy();
  });

  it('ESMTP: a line that is no SMTP reply', async () => {
    await using server = await startRawServer((socket) => socket.write('hello there\r\n'));
    const client = await clientOf(server.port);
    const err = await thrown(() => client.readReply());
    expect({ ...said(err), command: err.command }).toEqual({ code: 'ESMTP', message: 'malformed reply to greeting: "hello there"', hop: undefined, link: undefined, command: 'greeting' });
    client.destroy();
  });

  it('ETLS: a server that says 220 to STARTTLS and then speaks plaintext', async () => {
    await using server = await startRawServer((socket) => {
      socket.write('220 mx.mailhop.test ESMTP\r\n');
      socket.once('data', () => socket.write('220 go ahead\r\n'));
      socket.on('data', (chunk: Buffer) => {
        if (chunk[0] === 0x16) socket.write('this is not TLS\r\n');
      });
    });
    const client = await clientOf(server.port);
    await client.readReply();
    expect((await client.command('STARTTLS')).code).toBe(220);
    const err = await thrown(() => client.startTls());
    expect({ ...said(err), command: err.command }).toEqual({
      code: 'ETLS', message: 'TLS handshake failed: ERR_SSL_WRONG_VERSION_NUMBER (wrong version number)', hop: undefined, link: undefined, command: 'STARTTLS',
    });
    client.destroy();
  });
});

describe('the README', () => {
  it('has the code table: the same codes, meanings, exit codes and skips as ERROR_CODES', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('## In your vitest tests'));
    const rows = [...section.matchAll(/^\| (`E[A-Z]+`(?:, `E[A-Z]+`)*) \| (.+) \| (\d+) \| (fails|skips) \|$/gm)];
    const documented = rows.flatMap((r) => {
      const codes = [...r[1].matchAll(/`(E[A-Z]+)`/g)].map((c) => c[1]);
      // A row for one code says the table's words; a row for several (the SMTP ones) says what they share.
      return codes.map((code) => ({ code, means: codes.length === 1 ? r[2] : undefined, exit: Number(r[3]), skip: r[4] === 'skips' }));
    });
    expect(documented.map((d) => d.code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const d of documented) {
      const entry = ERROR_CODES[d.code as MailhopErrorCode];
      expect({ code: d.code, exit: d.exit, skip: d.skip }).toEqual({ code: d.code, exit: entry.exit, skip: entry.skip });
      if (d.means !== undefined) expect(d.means, d.code).toBe(entry.means);
    }
  });
});
