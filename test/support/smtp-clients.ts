/**
 * Real SMTP client implementations as the application under test (`submit: { sender: app }`): nodemailer in this
 * process, Python's smtplib (Debian's python3) and aiosmtplib (python3-aiosmtplib), swaks and curl (Debian packages),
 * each run once to submit one message to `chain.submission()`, in the TLS mode its users pick. Used by test/clients/ to measure each client's profile on
 * the wire. A client missing from the machine is reported by {@link clientMissing}, so its tests skip with the reason.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Submission } from '../../harness/chain/chain-types.js';

/** One client in one configuration, as its users write it. */
export interface SmtpClientUnderTest {
  /** e.g. `nodemailer requireTLS`, `swaks --tls`. */
  name: string;
  /** The program it needs on this machine (`python3`, `swaks`, `curl`), or Debian's `python3-aiosmtplib`, if any. */
  needs?: string;
  send(to: Submission, credentials?: { user: string; pass: string }): Promise<ClientRun>;
}

/**
 * How the client's own run ended: `ok` when it says it submitted the message; `output` its error or log (the Python
 * drivers print the EHLO reply they read inside TLS; swaks prints its whole dialogue).
 */
export interface ClientRun {
  ok: boolean;
  output: string;
}

const FROM = 'app@org.test';
const TO = 'bob@partner.test';
const MESSAGE = `From: ${FROM}\r\nTo: ${TO}\r\nSubject: from a real client\r\n\r\nhello\r\n`;
/** An upper bound for one submission, real ms: the cases end long before (a refusal or a 250), this only stops a hung client. */
const RUN_LIMIT_MS = 30_000;

function run(file: string, args: string[], input?: string): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: RUN_LIMIT_MS }, (err, stdout, stderr) => {
      resolve({ ok: !err, output: `${stdout}${stderr}`.trim() });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The run's CA in a file, for clients that read it from one; removed after `use`. */
async function withCaFile<T>(ca: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mailhop-client-'));
  try {
    const file = join(dir, 'ca.pem');
    writeFileSync(file, ca);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function nodemailerClient(name: string, options: { requireTLS?: boolean }): SmtpClientUnderTest {
  return {
    name,
    async send({ host, port, servername, ca }, credentials) {
      const transport = nodemailer.createTransport({ host, port, ...options, name: 'app.example.test', tls: { ca, servername }, ...(credentials ? { auth: credentials } : {}) });
      try {
        await transport.sendMail({ from: FROM, to: TO, subject: 'from a real client', text: 'hello' });
        return { ok: true, output: '' };
      } catch (err) {
        return { ok: false, output: (err as Error).message };
      }
    },
  };
}

/**
 * Python's smtplib as an application uses it: STARTTLS when the EHLO reply lists it (`has_extn`), or always, with a
 * verifying context trusting the run's CA. smtplib checks the certificate against the host it connected to, an
 * address here: the driver names the hop instead (`_host`), as an application configured with the hop's name would.
 */
const SMTPLIB = `
import smtplib, ssl, sys
host, port, servername, cafile, mode, user, password, sender, rcpt, message = sys.argv[1:11]
context = ssl.create_default_context(cafile=cafile)
s = smtplib.SMTP(timeout=20)
s.connect(host, int(port))
s._host = servername
s.ehlo('app.example.test')
if mode == 'always' or s.has_extn('starttls'):
    s.starttls(context=context)
    s.ehlo('app.example.test')
    print('EHLO reply inside TLS:', s.ehlo_resp.decode())
if user:
    s.login(user, password)
s.sendmail(sender, [rcpt], message)
s.quit()
`;

/** Debian's python3 (what CI installs), else the first on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function smtplibClient(name: string, mode: 'if-offered' | 'always'): SmtpClientUnderTest {
  return {
    name,
    needs: 'python3',
    send: ({ host, port, servername, ca }, credentials) =>
      withCaFile(ca, (cafile) => run(PYTHON, ['-c', SMTPLIB, host, String(port), servername, cafile, mode, credentials?.user ?? '', credentials?.pass ?? '', FROM, TO, MESSAGE])),
  };
}

/**
 * aiosmtplib (Debian's python3-aiosmtplib) as an application uses it: STARTTLS when the EHLO reply lists it (what its
 * `start_tls=None` default does on connect), or always, with a verifying context trusting the run's CA. As for smtplib,
 * the driver names the hop (`hostname`, what aiosmtplib checks the certificate against) once connected to its address.
 */
const AIOSMTPLIB = `
import asyncio, ssl, sys
import aiosmtplib
host, port, servername, cafile, mode, user, password, sender, rcpt, message = sys.argv[1:11]
async def main():
    context = ssl.create_default_context(cafile=cafile)
    s = aiosmtplib.SMTP(hostname=host, port=int(port), start_tls=False, tls_context=context, local_hostname='app.example.test', timeout=20)
    await s.connect()
    s.hostname = servername
    await s.ehlo()
    if mode == 'always' or s.supports_extension('starttls'):
        await s.starttls()
        print('EHLO reply inside TLS:', (await s.ehlo()).message)
    if user:
        await s.login(user, password)
    await s.sendmail(sender, [rcpt], message)
    await s.quit()
asyncio.run(main())
`;

function aiosmtplibClient(name: string, mode: 'if-offered' | 'always'): SmtpClientUnderTest {
  return {
    name,
    needs: 'python3-aiosmtplib',
    send: ({ host, port, servername, ca }, credentials) =>
      withCaFile(ca, (cafile) => run(PYTHON, ['-c', AIOSMTPLIB, host, String(port), servername, cafile, mode, credentials?.user ?? '', credentials?.pass ?? '', FROM, TO, MESSAGE])),
  };
}

/** swaks (it does not verify certificates unless told: `--tls-verify`). */
function swaksClient(name: string, tls: string[]): SmtpClientUnderTest {
  return {
    name,
    needs: 'swaks',
    send: ({ host, port }, credentials) =>
      run('swaks', [
        '--server', host, '--port', String(port), '--helo', 'app.example.test', '--from', FROM, '--to', TO, '--timeout', '20',
        '--header', 'Subject: from a real client', '--body', 'hello', ...tls,
        ...(credentials ? ['--auth', 'PLAIN', '--auth-user', credentials.user, '--auth-password', credentials.pass] : []),
      ]),
  };
}

/** curl's SMTP client, verifying against the run's CA: the URL names the hop, `--resolve` maps it to the proxy's loopback address. */
function curlClient(name: string, tls: string[]): SmtpClientUnderTest {
  return {
    name,
    needs: 'curl',
    send: ({ host, port, servername, ca }, credentials) =>
      withCaFile(ca, (cafile) =>
        run('curl', [
          '-sS', '--url', `smtp://${servername}:${port}`, '--resolve', `${servername}:${port}:${host}`, '--cacert', cafile, ...tls,
          '--mail-from', FROM, '--mail-rcpt', TO, '--upload-file', '-', '--max-time', '20',
          ...(credentials ? ['--user', `${credentials.user}:${credentials.pass}`] : []),
        ], MESSAGE)),
  };
}

/** The clients test/clients/ profiles, in the README table's order. */
export const CLIENTS: readonly SmtpClientUnderTest[] = [
  nodemailerClient('nodemailer (default)', {}),
  nodemailerClient('nodemailer requireTLS', { requireTLS: true }),
  smtplibClient('smtplib starttls if offered', 'if-offered'),
  smtplibClient('smtplib starttls always', 'always'),
  aiosmtplibClient('aiosmtplib starttls if offered', 'if-offered'),
  aiosmtplibClient('aiosmtplib starttls always', 'always'),
  swaksClient('swaks --tls-optional', ['--tls-optional']),
  swaksClient('swaks --tls', ['--tls']),
  curlClient('curl --ssl', ['--ssl']),
  curlClient('curl --ssl-reqd', ['--ssl-reqd']),
];

/** Why `client` cannot run here (its program is not on PATH, or Debian's python3 lacks its module), or undefined. */
export function clientMissing(client: SmtpClientUnderTest): string | undefined {
  if (!client.needs) return undefined;
  const found = client.needs === 'python3-aiosmtplib'
    ? spawnSync(PYTHON, ['-c', 'import aiosmtplib'], { encoding: 'utf8' })
    : spawnSync('sh', ['-c', `command -v ${client.needs}`], { encoding: 'utf8' });
  return found.status === 0 ? undefined : `${client.needs} is not installed (.ci/run installs it from Debian)`;
}
