/**
 * The types of a started chain: its options, its addresses, what its mailbox and DSNs hold, and the
 * StartedChain interface callers program against (chain.ts exports them with startChain).
 */
import type { AcceptedMessage } from '../mta/hop-server.js';
import type { RedactedReturn } from '../mta/require-tls.js';
import type { RuntimeChoice } from '../runtime/select-runtime.js';
import type { RunPki } from '../pki/run-pki.js';
import type { MessageInput, Scenario } from '../scenario/schema.js';
import type { TraceEvent } from '../trace/events.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';

/** A message stored in the final hop's mailbox. */
export interface MailboxMessage extends AcceptedMessage {
  /** Virtual time of delivery, ms. */
  at: number;
}

/** A delivery status notification the bouncing hop generated for the envelope sender. */
export interface Dsn {
  messageId: string;
  /** The hop that gave up. */
  hop: string;
  to: string;
  reply: { code: number; enhanced?: string; text: string };
  /** Virtual time, ms. */
  at: number;
  /** For a message tagged REQUIRETLS (RFC 8689 §5): the DSN returns only its header section, and is sent without REQUIRETLS. */
  requireTls?: RedactedReturn;
}

/** Options for {@link startChain}. */
export interface ChainOptions {
  /** Loopback address every server and proxy binds (default 127.0.0.1). */
  host?: string;
  /** The scenario file, for reports. */
  file?: string;
  /**
   * Mock hops give mail without an `X-Mailhop-Id` header an id (`m<n>`, from the same counter as
   * {@link StartedChain.send}) instead of refusing it, so people can send by hand (`mailhop up`, swaks),
   * also through a real engine as the first hop. An `X-Mailhop-Id` is believed only on the delivery that
   * carries it (delivery-ids.ts: the connection the chain's sender announced; behind a real engine, the
   * chain's `X-Mailhop-Seal`, once per hop); any other (hand-sent mail with a header of its own, a replay,
   * a forgery claiming a message queued elsewhere) gets a fresh id the same way, and the message keeps its
   * own header as `X-Mailhop-Original-Id`. Ids from {@link StartedChain.send} are kept.
   */
  stampMissingId?: boolean;
  /**
   * The run's PKI (its CA, made by selfsigned, and the hop certificates it issues) when several chains make one run,
   * as the scenarios of one `mailhop run` do (run-one-scenario.ts): the CA is made once per thread instead of once
   * per chain (~5 ms each). Default: a PKI of the chain's own.
   */
  pki?: RunPki;
  /** Lets an `engine: external` hop, and the hop after it, use a non-loopback address. Never in tests. */
  allowExternal?: boolean;
  /**
   * Real time, ms, that one message may keep the virtual clock waiting while a real engine or an external gateway
   * holds it (default 15 s): their retries run on real time, so the run must not end (or jump ahead) under them.
   */
  engineSettleMs?: number;
  /**
   * Keep only about the last `traceLimit` trace events in memory, and no finished wire records in the
   * link proxies (soak runs: the whole trace costs ~17 KiB per message). The message accounting is
   * then counted event by event, so report() still fails a lost or duplicated message; its verdicts
   * cover the messages whose events are still kept, and events() returns those. Default: keep all.
   */
  traceLimit?: number;
  /**
   * For long sessions (`mailhop up`): the trace keeps the events of at most `keepFinished` messages
   * whose outcome is final (delivered or bounced, ended at every hop); older ones are judged and their
   * events leave the trace and the link proxies (verdict/final-verdicts.ts), and the mailbox keeps at
   * most the `keepFinished` most recent messages. report() still covers every message with the same
   * verdicts, and counts the accounting event by event; events() and mailbox() return what is kept.
   * Ignored (everything kept) when a real engine or an external gateway sends on a link: its link is
   * judged as a whole. Default: keep everything.
   */
  keepFinished?: number;
  /**
   * Where hops and link proxies run: `'in-process'` (default), `'containers'` (one container each,
   * through Testcontainers; harness/runtime/container-runtime.ts), or a runtime of your own.
   * Default: `MAILHOP_RUNTIME`, else in-process.
   */
  runtime?: RuntimeChoice;
  /**
   * Fixed "send to" ports: hop i's link proxy listens on `portBase + i` (hop servers stay on ephemeral ports), so a
   * system under test can be configured once. A `port:` on the first hop in the scenario wins for that hop.
   * Default: ephemeral ports. A port that cannot be bound fails the start with `EBIND` naming the hop and the port.
   */
  portBase?: number;
}

/** Addresses of one hop: its server and the proxy in front of it (what senders connect to). */
export interface HopAddresses {
  id: string;
  hostname: string;
  server: { host: string; port: number };
  proxy: { host: string; port: number };
}

/**
 * Where an application submits to the chain (`chain.submission()`): the first hop's "send to" address, its link
 * proxy, so the wire witness sees every byte and the faults of `client -> first hop` act.
 */
export interface Submission {
  host: string;
  port: number;
  /** The first hop's hostname (`<id>.mailhop.test`): the name its certificate carries, for SNI and the name check. */
  servername: string;
  /** The run's CA certificate (PEM): give it to a client that verifies certificates (nodemailer `tls: { ca }`). */
  ca: string;
}

/** A message a test announced before its application submits it (`chain.expectSubmission()`). */
export interface ExpectedSubmission {
  /** Its mailhop id (`m<n>`): the id of the next message the first hop accepts without one, or that carries `headers`. */
  id: string;
  /** `X-Mailhop-Id` and `X-Mailhop-Seal`, for an application that can add header fields (then the id is certain). */
  headers: Record<string, string>;
}

/** A running chain. Dispose (or `stop()`) it to free every port. */
export interface StartedChain extends AsyncDisposable {
  readonly scenario: Scenario;
  readonly hops: readonly HopAddresses[];
  /**
   * Submits a message through the client; returns its mailhop id (`m1`, `m2`, ...).
   * @throws MailhopError `EUSAGE` under `submit: { sender: app }` (the application submits: see {@link submission}).
   */
  send(message: MessageInput): Promise<string>;
  /** Where to submit by hand or from an application: the first hop's link proxy, its hostname and the run's CA. */
  submission(): Submission;
  /**
   * Under `submit: { sender: app }`: announces one message the application is about to submit, so that it is judged
   * even if the application refuses to send it (link `refused`, outcome `rejected`, end to end `held`). Call it once
   * per message, before the application sends.
   * @throws MailhopError `EUSAGE` when mailhop's own client submits (use {@link send}).
   */
  expectSubmission(): ExpectedSubmission;
  /**
   * Runs the virtual clock until every message is delivered or bounced, or has used up its `runFor`
   * (counted from when it entered the chain: a message sent after earlier ones still gets its whole budget).
   */
  settle(): Promise<'done' | 'limit' | 'stopped'>;
  /** Sends every message of the scenario (none under `submit: { sender: app }`), settles, and judges (with {@link judge}, which `signal` stops). */
  run(options?: { signal?: AbortSignal }): Promise<ScenarioReport>;
  /** Judges what happened so far; blocks the event loop for as long as that takes (linear in the trace). */
  report(): ScenarioReport;
  /**
   * Judges what happened so far, as {@link report} does, giving the event loop a turn every 500 messages
   * so that signals and I/O are handled meanwhile. Rejects with `signal`'s reason when it aborts.
   */
  judge(options?: { signal?: AbortSignal }): Promise<ScenarioReport>;
  events(): TraceEvent[];
  /** Calls `listener` with every new trace event as it is recorded; returns the unsubscribe function. */
  subscribe(listener: (event: TraceEvent) => void): () => void;
  mailbox(): MailboxMessage[];
  dsns(): Dsn[];
  stop(): Promise<void>;
}
