/**
 * What each real MTA contributes (postfix.ts, sendmail.ts, exim.ts, opensmtpd.ts): its
 * configuration, written from the hop's inbound/outbound settings into its run folder, the command
 * that runs it in the foreground, and a reader that turns its log lines into facts.
 */
import type { EngineHop } from '../scenario/schema.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { KeyCert } from '../pki/run-pki.js';
import type { EffectivePolicy, EngineEvent } from '../trace/events.js';
import type { MtaPaths } from './mta-paths.js';
import { MailhopError } from '../errors.js';
import type { RunFolder } from './run-folder.js';
import type { EngineDns } from './engine-dns.js';

/** Everything an engine's configuration is written from. */
export interface EngineHopConfig {
  hop: EngineHop;
  /** `<id>.mailhop.test`: its myhostname / primary_hostname / EHLO name. */
  hostname: string;
  /** Loopback address and port it listens on. */
  listen: { host: string; port: number };
  /**
   * The next link's proxy, where it relays everything; null when it is the final mailbox. `hostname` is the next
   * hop's name (`<id>.mailhop.test`), the name a `verify` policy matches its certificate against (RFC 6125 §6).
   */
  next: { host: string; port: number; hostname?: string } | null;
  /** Its certificate, signed by the run's CA (or flawed as `inbound.cert` says). */
  keyCert: KeyCert;
  /** The run's CA certificate. */
  caCert: string;
  /** The run's DNS server, for a hop that routes by MX (`outbound.route: mx`; engine-dns.ts); absent otherwise. */
  dns?: EngineDns;
  paths: MtaPaths;
}

/** How to start a prepared engine. */
export interface EngineLaunch {
  /** The daemon in the foreground, run as the namespace's first process. */
  command: string[];
  /** Extra bind mounts inside its namespace: [file in the run folder, path inside]. */
  binds?: Array<[string, string]>;
  /** It logs through syslog (/dev/log is then mailhop's socket); otherwise on stdout/stderr. */
  syslog: boolean;
  /** As the final mailbox: the Maildir it delivers into. */
  maildir?: string;
  /** Names its hosts file gives besides its own: [address, name], e.g. the next hop's name for a `verify` policy that routes by name. */
  hosts?: Array<[string, string]>;
  /** Processes it needs beside it, started (and ready) before it, stopped after it (beside-process.ts). */
  beside?: BesideProcess[];
}

/**
 * A process an engine needs beside it, such as Postfix's MTA-STS policy resolver (mta-sts-daemon.ts): run in a mount
 * namespace of its own with the engine's hostname, hosts file and resolv.conf (files under `ns-<label>/` of the run
 * folder), its stdout/stderr lines added to the engine's log as `<label>: <line>`.
 */
export interface BesideProcess {
  /** Names it in messages and log lines, e.g. `mta-sts-daemon`. */
  label: string;
  /** The program and its arguments. */
  command: string[];
  /** The line it writes once it serves (waited for before the engine starts). */
  ready: RegExp;
  /** It looks host names up in the run's DNS too (NamespaceSpec.hostsFromDns). */
  hostsFromDns?: boolean;
}

/** A fact read from one log line. */
export type LogFact =
  /** The engine accepted a message (its inbound side): the receiver's account. */
  | { kind: 'accepted'; messageId: string; tls: { version: string; cipher: string } | null; remotePort: number; line: string }
  /** Something about its outbound side (or a local delivery into its mailbox: `relayed` with `local`). */
  | {
      kind: 'outbound';
      fact: Exclude<EngineEvent['fact'], 'dsn'>;
      messageId?: string;
      /** The engine's own id of the message when the line names no mailhop id (OpenSMTPD's message id), so that later lines can be tied to the same message. */
      ref?: string;
      /** `verified`: the log says the certificate was verified, chain and name (only ever `true`; absent otherwise). */
      tls?: { version: string; cipher: string; verified?: true };
      /** For relayed/deferred/bounced: the reason the engine gives, in its words, e.g. `Cannot start TLS: handshake failure`. */
      reply?: string;
      /** For relayed/deferred/bounced: the next hop's reply as the engine quotes it, e.g. `530 5.7.0 Must issue a STARTTLS command first`. */
      serverReply?: string;
      /** For bounced: the message's envelope sender as the engine logged it (`''` for the null sender, which gets no DSN: RFC 5321 §4.5.5). */
      sender?: string;
      /** A delivery into its own Maildir (the engine is the final mailbox), not over its outbound link. */
      local?: boolean;
      line: string;
    }
  /**
   * The engine queued a delivery status notification (RFC 3464) to `to`, the envelope sender of a message it
   * bounced; `dsnId` is the DSN's own queue id (its own deliveries are not facts about the chain's messages).
   */
  | { kind: 'dsn'; messageId?: string; ref?: string; to: string; dsnId: string; line: string };

/**
 * mailhop's id of a message an engine accepted over SMTP, from its Message-ID as logged: the chain's own
 * ({@link mailhopIdOfMessageId}), or, for mail sent by hand to a first hop under `mailhop up`, one the chain
 * gives it then (chain/delivery-ids.ts `adopt`); undefined for mail mailhop does not follow.
 */
export type AcceptedIdOf = (messageId: string) => string | undefined;

/** Parses one engine instance's log, line by line (it keeps the state that ties lines to messages). */
export interface EngineLogReader {
  read(line: string): LogFact[];
}

export interface EngineDefinition {
  name: RealEngineName;
  /** The unprivileged user that owns its run folder (it reaches files there by absolute path). */
  folderOwner?: string;
  /** Users and groups it needs on this machine (doctor checks them). */
  requires: { users: string[]; binaries: (paths: MtaPaths) => string[] };
  /** Deferrals of one message after which mailhop stops waiting for it in real time (see chain settle). */
  settleAfterDeferrals: number;
  /** Writes the configuration into `folder` and says how to run it. @throws Error when a helper (m4, makemap) fails. */
  prepare(folder: RunFolder, config: EngineHopConfig): Promise<EngineLaunch>;
  /** A reader for one run of the engine; `idOf` names the messages it accepts over SMTP (default: {@link mailhopIdOfMessageId}). */
  logReader(idOf?: AcceptedIdOf): EngineLogReader;
}

/** The TLS policy an engine's outbound configuration amounts to (for `started` facts and leak judgement). */
export function outboundPolicy(hop: EngineHop): EffectivePolicy {
  return hop.outbound.tls;
}

/**
 * The next hop's name for a `verify` policy: the name its certificate must carry.
 * @throws MailhopError `EINTERNAL` when the chain gave none (a validated scenario always has a next hop then).
 */
export function verifiedName(c: EngineHopConfig): string {
  const name = c.next?.hostname;
  if (!name) throw MailhopError.of('EINTERNAL', { where: `hop ${c.hop.id} (${c.hop.engine})`, what: 'configure outbound.tls: verify', why: 'the chain gave no name for the next hop', hop: c.hop.id });
  return name;
}

/** A time limit in whole seconds, as Postfix, Exim and Sendmail write them (`300s`); the schema allows only whole seconds. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/**
 * mailhop's id from a Message-ID the injecting client wrote (`<m1.1764446000000@client.mailhop.test>`),
 * or undefined for any other Message-ID.
 */
export function mailhopIdOfMessageId(messageId: string): string | undefined {
  return /^<?([a-z0-9]+)\.\d+@client\.mailhop\.test>?$/i.exec(messageId.trim())?.[1];
}

/** `TLS1.3` (GnuTLS, Exim) or `TLSv1.3` -> `TLSv1.3`. */
export function tlsVersionName(version: string): string {
  return version.replace(/^TLS(?=\d)/, 'TLSv');
}

/** Cuts a log line for an event (at most 300 characters). */
export function clip(line: string): string {
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
