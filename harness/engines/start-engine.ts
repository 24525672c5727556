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
import { outboundPolicy, type AcceptedIdOf, type EngineDefinition, type EngineHopConfig, type LogFact } from './engine-definition.js';
import { ENGINES } from './engines.js';
import { EngineProcess } from './engine-process.js';
import { namespaceCommand, syslogSocketPath } from './engine-namespace.js';
import { mtaPaths, type MtaPaths } from './mta-paths.js';
import { RunFolder } from './run-folder.js';
import { SyslogSink } from './syslog-sink.js';
import { userIds } from './system-users.js';
import { waitForGreeting } from './wait-for-greeting.js';
import { replyFromLog } from './engine-replies.js';
import { MaildirMailbox, type MaildirMessage } from './maildir-mailbox.js';

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

/**
 * Prepares and starts one real MTA as a hop, and waits for its 220 greeting (RFC 5321 §4.3.1).
 * @throws MailhopError `ENOENGINE` when a program or system user it needs is missing; `ESTART` naming the hop,
 *   the engine and its last output when it does not start; `EINTERNAL` for a hop it cannot be.
 */
export async function startEngine(options: StartEngineOptions): Promise<StartedEngine> {
  const { hop, trace } = options;
  const engine = hop.engine as RealEngineName;
  const def: EngineDefinition = ENGINES[engine];
  const paths = options.paths ?? mtaPaths();
  const missing = def.requires.binaries(paths).filter((b) => !existsSync(b));
  if (missing.length) {
    throw MailhopError.of('ENOENGINE', {
      where: `hop ${hop.id} (${engine})`,
      what: `run ${engine}`,
      why: `it is not installed here: ${missing.join(', ')} missing`,
      hint: 'Run "mailhop install-mtas" as root (mailhop doctor tells what else is needed).',
      hop: hop.id,
    });
  }
  const owner = def.folderOwner ? userIds(def.folderOwner) : undefined;
  const folder = RunFolder.create(`${engine}-${hop.id}`, owner);
  const lines: string[] = [];
  const activity = new Set<() => void>();
  let sink: SyslogSink | undefined;
  let proc: EngineProcess | undefined;
  const reader = def.logReader(options.acceptedIdOf);
  const inboundOf = new Map<string, { version: string; cipher: string } | null>();
  const deferrals = new Map<string, number>();
  let mailbox: MaildirMailbox | undefined;
  const hopEvent = { hop: hop.id } as const;

  const onFact = (fact: LogFact) => {
    if (fact.kind === 'accepted') {
      inboundOf.set(fact.messageId, fact.tls);
      const nullCipher = Boolean(fact.tls && /NULL/i.test(fact.tls.cipher));
      trace.emit({
        kind: 'accepted', source: 'receiver', link: options.inboundLink, ...hopEvent, messageId: fact.messageId,
        secure: Boolean(fact.tls), tls: fact.tls ? { ...fact.tls, nullCipher } : null, protocol: fact.tls ? 'ESMTPS' : 'ESMTP', remotePort: fact.remotePort,
      });
      return;
    }
    if (fact.local) {
      for (const m of mailbox?.takeNew() ?? []) {
        trace.emit({ kind: 'delivered', source: 'receiver', link: options.inboundLink, ...hopEvent, messageId: m.id });
        options.onMailbox?.({ ...m, inbound: inboundOf.get(m.id) ?? null });
      }
      return;
    }
    const link = options.outboundLink ?? options.inboundLink;
    const messageId = fact.messageId ?? options.guessMessage();
    const ids = messageId ? { messageId } : {};
    const detail = fact.reply ? { detail: fact.reply } : {};
    trace.emit({ kind: 'engine', source: 'engine', link, ...hopEvent, engine, fact: fact.fact, ...ids, ...(fact.tls ? { tls: fact.tls } : {}), ...detail, line: fact.line });
    if (!messageId) return;
    if (fact.fact === 'deferred') {
      const attempt = (deferrals.get(messageId) ?? 0) + 1;
      deferrals.set(messageId, attempt);
      const reply = replyFromLog(fact.reply ?? '', fact.line, 451);
      // The engine retries on its own real-time schedule; the virtual clock does not move meanwhile.
      trace.emit({ kind: 'deferred', source: 'sender', link, ...hopEvent, messageId, attempt, nextAttemptAt: options.now(), reply });
    } else if (fact.fact === 'bounced') {
      trace.emit({ kind: 'bounced', source: 'sender', link, ...hopEvent, messageId, reply: replyFromLog(fact.reply ?? '', fact.line, 554), dsnTo: '' });
    }
  };
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > LOG_KEPT) lines.shift();
    for (const fact of reader.read(line)) onFact(fact);
    for (const listener of activity) listener();
  };

  const cleanup = async () => {
    await proc?.stop();
    await sink?.close();
    folder.remove();
  };
  try {
    const launch = await def.prepare(folder, {
      hop, hostname: options.hostname, listen: options.listen, next: options.next, keyCert: options.keyCert, caCert: options.caCert, paths,
    });
    if (launch.maildir) mailbox = new MaildirMailbox(launch.maildir);
    const argv = namespaceCommand(folder, { hostname: options.hostname, address: options.listen.host, binds: launch.binds, syslog: launch.syslog, command: launch.command }, paths);
    if (launch.syslog) sink = await SyslogSink.listen(syslogSocketPath(folder), onLine);
    proc = await EngineProcess.start({
      label: `${engine} (hop ${hop.id})`,
      argv,
      onOutput: launch.syslog ? undefined : onLine,
      folder: folder.path,
    });
    await waitForGreeting({
      address: options.listen,
      timeoutMs: options.startTimeoutMs ?? 15_000,
      exited: proc.exited,
      onActivity: (listener) => {
        activity.add(listener);
        return () => activity.delete(listener);
      },
    });
  } catch (err) {
    const output = [...(proc?.output() ?? []), ...lines].filter((l) => l.trim()).slice(-8);
    await cleanup().catch(() => {});
    // A missing user or an impossible hop is said as it is; anything else is this start failing.
    if (err instanceof MailhopError) throw err;
    throw MailhopError.of('ESTART', {
      where: `hop ${hop.id} (${engine})`,
      what: `start ${engine}`,
      why: (err as Error).message,
      ...(output.length ? { detail: `  last output:\n    ${output.join('\n    ')}` } : {}),
      hop: hop.id,
      cause: err,
    });
  }
  trace.emit({
    kind: 'hop-started', source: 'chain', link: options.inboundLink, ...hopEvent, hopKind: 'engine', engine, outboundLink: options.outboundLink,
    hostname: options.hostname, address: options.listen, policy: outboundPolicy(hop), line: `${engine} listening on ${options.listen.host}:${options.listen.port}`,
  });

  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= cleanup());
  return {
    hopId: hop.id,
    engine,
    address: options.listen,
    folder: folder.path,
    pid: proc!.pid,
    log: () => [...lines],
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
