/**
 * The `mailhop` subcommands as commander sees them: names, arguments, options and help texts, each handing
 * its parsed options to the command's own file. The order here is the order `mailhop --help` lists them in.
 */
import { Command, InvalidArgumentError } from 'commander';
import { runCommand, type RunOptions } from './run-command.js';
import { mergeCommand, type MergeOptions } from './merge-command.js';
import { validateCommand } from './validate-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { explainCommand, type ExplainOptions } from './explain-command.js';
import { upCommand } from './up-command.js';
import { addPresetsCommand } from './presets-command.js';
import { composeCommand, type ComposeCommandOptions } from './compose-command.js';
import { installMtasCommand } from './install-mtas-command.js';
import { auditCommand, type AuditOptions } from './audit-command.js';
import { registerTlsRptCommand } from './tlsrpt-command.js';
import { MailhopError } from '../errors.js';
import type { RuntimeName } from '../runtime/runtime.js';
import { parseWebAddress, type WebAddress } from '../web/web-address.js';
import { webAttachment } from '../web/lazy-web-view.js';

/**
 * What one `main()` call learns while commander parses: the exit code the command resolved to, the `--runtime`
 * given (handed to the commands that start chains as a parameter, never through the environment) and the
 * name of the command that ran (for the `mailhop <command>: ...` prefix of errors no command reported).
 */
export interface CliSession {
  exitCode: number;
  runtime?: RuntimeName;
  command: string;
}

/** Adds every subcommand to `program`; each stores its exit code in `session.exitCode`. */
export function defineCommands(program: Command, session: CliSession): void {
  defineRun(program, session);
  defineInstallMtas(program, session);
  defineMerge(program, session);
  defineValidate(program, session);
  defineExplain(program, session);
  defineUp(program, session);
  defineCompose(program, session);
  defineAudit(program, session);
  addPresetsCommand(program);
  registerDoctorCommand(program, (code) => (session.exitCode = code));
  registerTlsRptCommand(program, (code) => (session.exitCode = code));
}

function defineRun(program: Command, session: CliSession): void {
  program
    .command('run')
    .description('run scenario files (or folders of them) and print per-link verdicts')
    .argument('<paths...>', 'scenario files or folders')
    .option('--json', 'print a machine-readable report to stdout')
    .option('--concurrency <n>', 'scenarios run at once', (v) => Number.parseInt(v, 10), 4)
    .option('--threads <n>', 'scenario threads besides the main one (default: one less than the cores, from 16 scenarios on)', (v) => Number.parseInt(v, 10))
    .option('--junit <file>', 'also write a JUnit XML report (one testcase per scenario)')
    .option('--html <file>', 'also write a self-contained HTML report (chain diagrams, attempts, transcripts)')
    .option('--allow-external', 'let engine: external hops use non-loopback addresses (a vendor gateway you run elsewhere)')
    .option('--grep <pattern>', 'run only scenarios whose name or file path matches this regular expression')
    .option('--shard <i/n>', 'run only the i-th of n slices of the scenarios (sorted by file; for a CI matrix)')
    .option('--fail-on-skip', 'exit 1 when any scenario was skipped (a run where all were skipped always exits 1)')
    .option('--verbose', 'print the SMTP transcript of the failing link under each failed scenario')
    .option('--record <file>', 'also write a run record (reports, transcripts, times) for `mailhop merge`')
    .option('--tlsrpt <dir>', 'also write the TLS-RPT reports of reporting hops (RFC 8460) into this folder, one .json.gz each')
    .action(async (paths: string[], opts: RunOptions) => {
      session.exitCode = await runCommand(paths, { ...opts, runtime: session.runtime });
    });
}

function defineInstallMtas(program: Command, session: CliSession): void {
  program
    .command('install-mtas')
    .description('install the real MTAs engine: hops run (Debian/Ubuntu, as root); says what it installs first')
    .option('--dry-run', 'only print what would be installed')
    .action(async (opts: { dryRun?: boolean }) => {
      session.exitCode = await installMtasCommand(opts);
    });
}

function defineMerge(program: Command, session: CliSession): void {
  program
    .command('merge')
    .description('merge run records of shards (`run --shard i/n --record f`) into one report')
    .argument('<files...>', 'run record files')
    .option('--junit <file>', 'write one JUnit XML report for all shards')
    .option('--html <file>', 'write one HTML report for all shards')
    .option('--json', 'print the merged machine-readable report to stdout')
    .action(async (files: string[], opts: MergeOptions) => {
      session.exitCode = await mergeCommand(files, opts);
    });
}

function defineValidate(program: Command, session: CliSession): void {
  program
    .command('validate')
    .description('check scenario files against the schema without running them')
    .argument('<paths...>', 'scenario files or folders')
    .option('--allow-external', 'accept non-loopback addresses on engine: external hops, as run --allow-external does')
    .action(async (paths: string[], opts: { allowExternal?: boolean }) => {
      session.exitCode = await validateCommand(paths, { allowExternal: opts.allowExternal ?? false });
    });
}

function defineExplain(program: Command, session: CliSession): void {
  program
    .command('explain')
    .description('run one scenario and tell in plain language what happened on each link, and why')
    .argument('<scenario>', 'a scenario file')
    .option('--html <file>', 'also write the explanation as a self-contained HTML page (with the chain diagram)')
    .action(async (path: string, opts: ExplainOptions) => {
      session.exitCode = await explainCommand(path, { ...opts, runtime: session.runtime });
    });
}

function defineUp(program: Command, session: CliSession): void {
  program
    .command('up')
    .description('start a scenario\'s chain and keep it running for mail sent by hand; prints live verdicts; Ctrl-C stops it')
    .argument('<scenario>', 'a scenario file')
    .option('--allow-external', 'let engine: external hops use non-loopback addresses (a vendor gateway you run elsewhere)')
    .option('--web [address]', 'also serve a live web view and a read-only JSON API on 127.0.0.1 (default port 8025; give a port, 0 for any free one, or 127.0.0.1:<port>)', usage(parseWebAddress))
    .option('--port-base <n>', 'fixed "send to" ports: hop i\'s link proxy listens on n + i (servers stay on ephemeral ports)', usage(parsePortBase))
    .action(async (path: string, opts: { allowExternal?: boolean; web?: WebAddress | true; portBase?: number }) => {
      const web = opts.web === true ? parseWebAddress(true) : opts.web;
      session.exitCode = await upCommand(path, undefined, { allowExternal: opts.allowExternal ?? false, portBase: opts.portBase, runtime: session.runtime, ...(web ? { attach: webAttachment(web) } : {}) });
    });
}

function defineCompose(program: Command, session: CliSession): void {
  program
    .command('compose')
    .description('write a docker compose file running a scenario\'s hops and link proxies, one container each')
    .argument('<scenario>', 'a scenario file')
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--network <mode>', 'bridge (a user-defined network, hops by hostname) or host (loopback addresses)', 'bridge')
    .option('--publish <port>', 'host port of the first link (bridge only)', (v) => Number.parseInt(v, 10), 2525)
    .action(async (path: string, opts: ComposeCommandOptions) => {
      session.exitCode = await composeCommand(path, opts);
    });
}

function defineAudit(program: Command, session: CliSession): void {
  program
    .command('audit')
    .description("measure an MTA's STARTTLS behaviour with the standard battery (it relays between mailhop's client and a mock next hop) and name the closest presets")
    .option('--engine <name>', 'a real MTA mailhop starts: postfix, sendmail, exim or opensmtpd')
    .option('--preset <name|file>', 'a mock hop with this preset, bundled or a preset file (to see what the model does)')
    .option('--external <host:port>', 'a gateway mailhop does not start; it must relay to --listen')
    .option('--listen <host:port>', 'with --external: where mailhop\'s next hop listens for the gateway (loopback unless --allow-external)')
    .option('--set <key=value>', 'a hop key for the engine or preset, e.g. outbound.tls=mandatory (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--cases <ids>', 'run only these cases (comma-separated ids; the table lists them)')
    .option('--compare <presets>', 'compare with these presets (comma-separated names or preset files), or none; default every bundled preset')
    .option('--json', 'print the profile, the findings and the comparison as JSON')
    .option('--html <file>', 'also write the audit as a self-contained HTML page')
    .option('--write-preset <file>', 'also fit a preset to what was measured and write it as a preset file (name.preset.yaml)')
    .option('--concurrency <n>', 'cases run at once (default 2; 1 for --external)', usage(parseCaseConcurrency))
    .option('--allow-external', 'let --external and --listen be off loopback')
    .action(async (opts: AuditOptions) => {
      session.exitCode = await auditCommand(opts);
    });
}

/** An option parser whose errors commander reports as its own (`error: option '--web [address]' argument '0.0.0.0:80' is invalid. ...`, exit 2). */
function usage<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/**
 * `--port-base <n>`: a whole number from 1 to 65535 (startChain checks that the chain's last hop fits too).
 * @throws MailhopError `EUSAGE` for anything else.
 */
function parsePortBase(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw MailhopError.of('EUSAGE', { where: `--port-base ${value}`, what: 'listen from this port', why: 'expected a port from 1 to 65535' });
  }
  return Number(value);
}

/**
 * `audit --concurrency <n>`: a whole number from 1 to 16 (each case is a chain of its own, with real engines).
 * @throws MailhopError `EUSAGE` for anything else.
 */
function parseCaseConcurrency(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 16) {
    throw MailhopError.of('EUSAGE', { where: `--concurrency ${value}`, what: 'run this many cases at once', why: 'expected a whole number from 1 to 16' });
  }
  return Number(value);
}
