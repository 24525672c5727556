/**
 * Starts one real MTA as a hop: a run folder (0700) with its configuration and certificates, its
 * syslog socket, the daemon in its own namespaces, and a wait for its 220. While it runs, its log
 * lines become trace events: `accepted` on its inbound link (the receiver's account), `engine`
 * facts plus `deferred`/`bounced` on its outbound link, `delivered` when it is the final mailbox.
 * Stopping it (also when starting fails halfway) kills its processes and removes the folder.
 */
import { existsSync } from 'node:fs';
import { MailhopError } from '../errors.js';
import type { Trace } from '../trace/trace.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import { outboundPolicy, type AcceptedIdOf, type EngineDefinition, type EngineHopConfig, type EngineLogReader, type LogFact } from './engine-definition.js';
import { ENGINES } from './engines.js';
import { EngineProcess } from './engine-process.js';
import { namespaceCommand, syslogSocketPath } from './engine-namespace.js';
import { mtaPaths, type MtaPaths } from './mta-paths.js';
import { RunFolder } from './run-folder.js';
import { SyslogSink } from './syslog-sink.js';
import { userIds } from './system-users.js';
import { waitForGreeting } from './wait-for-greeting.js';
import { engineFactEvents, type EngineDsn } from './engine-fact-events.js';
import { MaildirMailbox, type MaildirMessage } from './maildir-mailbox.js';
import { dnsPolicyOf, engineResolvConf, honorsMtaSts } from './engine-dns.js';
import { startBeside } from './beside-process.js';

/** What an engine is configured from (as EngineHopConfig, its paths optional), plus how the run watches it. */
export interface StartEngineOptions extends Omit<EngineHopConfig, 'paths'> {
  /** `prev->this` and `this->next` (null for the final mailbox). */
  inboundLink: string;
  outboundLink: string | null;
  trace: Trace;
  /** The chain's virtual clock reading, ms. */
  now: () => number;
  /** Names the messages it accepts over SMTP, from their Message-ID (default: only the chain's own, engine-definition.ts). */
  acceptedIdOf?: AcceptedIdOf;
  /** For a log line that names no message mailhop knows (OpenSMTPD logs no Message-ID): the one message this engine holds, if exactly one. */
  guessMessage: () => string | undefined;
  /** The final mailbox received a message. */
  onMailbox?: (message: MaildirMessage & { inbound: { version: string; cipher: string } | null }) => void;
  /** It bounced a message whose envelope sender (as its log names it) gets a DSN (engine-fact-events.ts). */
  onDsn?: (dsn: EngineDsn) => void;
  /** Words for a link where the recipient domains' DNS (DANE or MTA-STS enforce) requires TLS (engine-dns.ts `dnsRequiresTlsWords`): a crossing in clear there is a leak. */
  dnsRequiresTls?: string;
  /** Real time to wait for the 220 greeting, ms (default 15 s: Sendmail sleeps 60 s without its namespace). */
  startTimeoutMs?: number;
  paths?: MtaPaths;
}

/** A running engine. */
export interface StartedEngine extends AsyncDisposable {
  readonly hopId: string;
  readonly engine: RealEngineName;
  readonly address: { host: string; port: number };
  /** Its run folder (removed by stop()). */
  readonly folder: string;
  /** The daemon's process id (the first process of its namespaces). */
  readonly pid: number;
  /** Every log line so far (syslog, or its stdout/stderr). */
  log(): string[];
  stop(): Promise<void>;
}

const LOG_KEPT = 2000;

/** What a start has brought up so far: stopping it (whole, or halfway through a failed start) undoes each. */
interface Running {
  folder: RunFolder;
  sink?: SyslogSink;
  proc?: EngineProcess;
  /** Processes beside the engine (its MTA-STS policy resolver), stopped after it. */
  beside: EngineProcess[];
  mailbox?: MaildirMailbox;
}

/** The engine's log as it comes: the last LOG_KEPT lines, each read for facts, and a poke to whoever waits on activity. */
interface EngineLog {
  lines: string[];
  activity: Set<() => void>;
  onLine: (line: string) => void;
}

/**
 * Prepares and starts one real MTA as a hop, and waits for its 220 greeting (RFC 5321 §4.3.1).
 * @throws MailhopError `ENOENGINE` when a program or system user it needs is missing; `ESTART` naming the hop,
 *   the engine and its last output when it does not start; `EINTERNAL` for a hop it cannot be.
 */
export async function startEngine(options: StartEngineOptions): Promise<StartedEngine> {
  const { hop } = options;
  const engine = hop.engine as RealEngineName;
  const def: EngineDefinition = ENGINES[engine];
  const paths = options.paths ?? mtaPaths();
  assertInstalled(def, paths, hop.id, engine);
  const owner = def.folderOwner ? userIds(def.folderOwner) : undefined;
  const running: Running = { folder: RunFolder.create(`${engine}-${hop.id}`, owner), beside: [] };
  const reader = def.logReader(options.acceptedIdOf);
  const onFact = engineFactEvents({
    hopId: hop.id, engine, hostname: options.hostname, inboundLink: options.inboundLink, outboundLink: options.outboundLink, trace: options.trace,
    now: options.now, guessMessage: options.guessMessage, mailbox: () => running.mailbox, onMailbox: options.onMailbox, onDsn: options.onDsn,
    dane: options.dns !== undefined && ['honor', 'require'].includes(dnsPolicyOf(hop.outbound).dane ?? 'ignore'),
    mtaSts: options.dns !== undefined && honorsMtaSts(hop.outbound),
  });
  const log = engineLog(reader, onFact);
  const cleanup = () => stopRunning(running);
  try {
    await launch(options, def, paths, running, log);
  } catch (err) {
    const output = [...(running.proc?.output() ?? []), ...log.lines].filter((l) => l.trim()).slice(-8);
    await cleanup().catch(() => {});
    throw startFailure(err, hop.id, engine, output);
  }
  emitHopStarted(options, engine);

  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= cleanup());
  return {
    hopId: hop.id,
    engine,
    address: options.listen,
    folder: running.folder.path,
    pid: running.proc!.pid,
    log: () => [...log.lines],
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** @throws MailhopError `ENOENGINE` naming the programs of `def` that are not installed. */
function assertInstalled(def: EngineDefinition, paths: MtaPaths, hopId: string, engine: RealEngineName): void {
  const missing = def.requires.binaries(paths).filter((b) => !existsSync(b));
  if (!missing.length) return;
  throw MailhopError.of('ENOENGINE', {
    where: `hop ${hopId} (${engine})`,
    what: `run ${engine}`,
    why: `it is not installed here: ${missing.join(', ')} missing`,
    hint: 'Run "mailhop install-mtas" as root (mailhop doctor tells what else is needed).',
    hop: hopId,
  });
}

/** Keeps the engine's log lines and turns each into facts for `onFact`. */
function engineLog(reader: EngineLogReader, onFact: (fact: LogFact) => void): EngineLog {
  const lines: string[] = [];
  const activity = new Set<() => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > LOG_KEPT) lines.shift();
    for (const fact of reader.read(line)) onFact(fact);
    for (const listener of activity) listener();
  };
  return { lines, activity, onLine };
}

/**
 * Writes the engine's configuration, opens its syslog socket, starts the daemon in its namespaces and
 * waits for its 220; each thing it brings up goes into `running` at once, so a failure can undo it.
 */
async function launch(options: StartEngineOptions, def: EngineDefinition, paths: MtaPaths, running: Running, log: EngineLog): Promise<void> {
  const { hop, hostname, listen } = options;
  const { folder } = running;
  const launched = await def.prepare(folder, {
    hop, hostname, listen, next: options.next, keyCert: options.keyCert, caCert: options.caCert, paths, ...(options.dns ? { dns: options.dns } : {}),
  });
  if (launched.maildir) running.mailbox = new MaildirMailbox(launched.maildir);
  const names = { hostname, address: listen.host, hosts: launched.hosts, ...(options.dns ? { resolvConf: engineResolvConf(options.dns) } : {}) };
  // Ready before the engine starts: it may ask them from its first delivery on.
  for (const spec of launched.beside ?? []) running.beside.push(await startBeside(folder, spec, names, paths, log.onLine));
  const argv = namespaceCommand(folder, { ...names, binds: launched.binds, syslog: launched.syslog, command: launched.command }, paths);
  if (launched.syslog) running.sink = await SyslogSink.listen(syslogSocketPath(folder), log.onLine);
  const proc = (running.proc = await EngineProcess.start({
    label: `${hop.engine} (hop ${hop.id})`,
    argv,
    onOutput: launched.syslog ? undefined : log.onLine,
    folder: folder.path,
  }));
  await waitForGreeting({
    address: listen,
    timeoutMs: options.startTimeoutMs ?? 15_000,
    exited: proc.exited,
    onActivity: (listener) => {
      log.activity.add(listener);
      return () => log.activity.delete(listener);
    },
  });
}

/** Stops what a start brought up: the daemon, the processes beside it, its syslog socket, then its run folder. */
async function stopRunning(running: Running): Promise<void> {
  await running.proc?.stop();
  // Nothing of theirs needs an orderly end (mta-sts-daemon keeps its cache in memory): killed at once.
  await Promise.all(running.beside.map((p) => p.stop(0)));
  await running.sink?.close();
  running.folder.remove();
}

/** The error a failed start throws: a missing user or an impossible hop as it is, anything else as `ESTART`. */
function startFailure(err: unknown, hopId: string, engine: RealEngineName, output: string[]): Error {
  if (err instanceof MailhopError) return err;
  return MailhopError.of('ESTART', {
    where: `hop ${hopId} (${engine})`,
    what: `start ${engine}`,
    why: (err as Error).message,
    ...(output.length ? { detail: `  last output:\n    ${output.join('\n    ')}` } : {}),
    hop: hopId,
    cause: err,
  });
}

/** The `hop-started` event: the engine listens, with the outbound policy it was configured with. */
function emitHopStarted(options: StartEngineOptions, engine: RealEngineName): void {
  const { hop, listen } = options;
  options.trace.emit({
    kind: 'hop-started', source: 'chain', link: options.inboundLink, hop: hop.id, hopKind: 'engine', engine, outboundLink: options.outboundLink,
    hostname: options.hostname, address: listen, policy: outboundPolicy(hop), ...(options.dnsRequiresTls ? { dnsRequiresTls: options.dnsRequiresTls } : {}), line: `${engine} listening on ${listen.host}:${listen.port}`,
  });
}
