/**
 * A started relay chain: the mock MTAs of a scenario on loopback, a link proxy in front of each,
 * the injecting client's queue, the virtual clock and the trace. Build, freeze, start: the
 * scenario is validated and immutable before anything listens; chains share no state, so many
 * can run in one process at once.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { MailhopError } from '../errors.js';
import { RunPki } from '../pki/run-pki.js';
import { DEFAULT_BODY, linkNamesOf, Message, type MessageInput, type Scenario } from '../scenario/schema.js';
import { resolveSentMessage } from '../scenario/message-files.js';
import { VirtualClock } from './virtual-clock.js';
import { RunBudget } from './run-budget.js';
import { Trace } from '../trace/trace.js';
import type { TraceEvent } from '../trace/events.js';
import type { AcceptedMessage } from '../mta/hop-server.js';
import { RelayQueue } from '../mta/relay-queue.js';
import { ClientTlsContexts } from '../mta/client-tls-contexts.js';
import type { ConnectionInfo } from '../mta/deliver-attempt.js';
import { selectRuntime, type RuntimeChoice } from '../runtime/select-runtime.js';
import type { StartedUnit } from '../runtime/runtime.js';
import { judgeScenario, judgeScenarioAsync, type JudgeContext, type ScenarioReport } from '../verdict/judge-scenario.js';
import { AccountingTally } from '../verdict/accounting.js';
import { FinalVerdicts } from '../verdict/final-verdicts.js';
import { opaqueHopsOf, planOpaqueAddresses, startChainEngines } from '../engines/chain-engines.js';
import { EngineHolds } from '../engines/engine-holds.js';
import type { StartedEngine } from '../engines/start-engine.js';
import { sweepOrphanFolders } from '../engines/run-folder.js';
import { DeliveryIds } from './delivery-ids.js';
import { checkPortBase, fixedPortError, fixedProxyPort } from './proxy-ports.js';

/** The domain every hop's hostname lives under (`<id>.mailhop.test`, RFC 2606 reserved). */
export const HOST_DOMAIN = 'mailhop.test';

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
   * Default: ephemeral ports. A port that cannot be bound fails the start with `ECHAIN` naming the hop and the port.
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

/** A running chain. Dispose (or `stop()`) it to free every port. */
export interface StartedChain extends AsyncDisposable {
  readonly scenario: Scenario;
  readonly hops: readonly HopAddresses[];
  /** Submits a message through the client; returns its mailhop id (`m1`, `m2`, ...). */
  send(message: MessageInput): Promise<string>;
  /**
   * Runs the virtual clock until every message is delivered or bounced, or has used up its `runFor`
   * (counted from when it entered the chain: a message sent after earlier ones still gets its whole budget).
   */
  settle(): Promise<'done' | 'limit' | 'stopped'>;
  /** Sends every message of the scenario, settles, and judges (with {@link judge}, which `signal` stops). */
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

/**
 * Starts every item at once. What started is added to `into` even when another start failed, so that
 * the chain's stop frees its port; then the first failure is thrown.
 */
async function startEach<T, R>(items: readonly T[], into: Array<NonNullable<R>>, start: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = await Promise.allSettled(items.map(start));
  const values: Array<R | undefined> = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  for (const v of values) if (v !== undefined && v !== null) into.push(v as NonNullable<R>);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return values as R[];
}

function assertLoopback(host: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new MailhopError('ECHAIN', `refusing to bind ${host}: mock hops listen on loopback (127.0.0.0/8) only`);
  }
}

/**
 * Starts every hop and link proxy of a validated scenario.
 * @throws MailhopError `ECHAIN` when a non-loopback host is given or a port cannot be bound
 *   (everything already started is stopped first).
 */
export async function startChain(scenario: Scenario, options: ChainOptions = {}): Promise<StartedChain> {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  checkPortBase(scenario, options.portBase);
  // Engine run folders (private keys) of mailhop processes that were SIGKILLed: removed at every start,
  // not only when this chain starts an engine of its own.
  sweepOrphanFolders();
  const runtime = await selectRuntime(options.runtime);
  const clock = new VirtualClock();
  const trace = new Trace(clock, { keep: options.traceLimit });
  /** Per link (index of the receiving hop): its sender is a real engine or an external gateway. */
  const opaqueSender = scenario.hops.map((_, i) => i > 0 && (scenario.hops[i - 1].engine ?? 'mock') !== 'mock');
  const bounded = options.keepFinished !== undefined && !opaqueSender.some(Boolean);
  const tally = options.traceLimit === undefined && !bounded ? null : new AccountingTally();
  if (tally) trace.subscribe((e) => tally.observe(e));
  const budget = new RunBudget(scenario.runFor, () => clock.now());
  trace.subscribe((e) => budget.observe(e));
  // After the tally: a message it settles has been counted in full.
  const finals = bounded ? new FinalVerdicts(scenario, { keep: options.keepFinished!, onDrop: (events) => trace.drop(events), tally: tally! }) : null;
  if (finals) trace.subscribe((e) => finals.observe(e));
  const pki = await RunPki.create();
  const tlsContexts = new ClientTlsContexts([pki.ca.cert]);
  const ids = scenario.hops.map((h) => h.id);
  const linkNames = linkNamesOf(ids);
  const hostnames = ids.map((id) => `${id}.${HOST_DOMAIN}`);
  const mailbox: MailboxMessage[] = [];
  /** Per link (index of the receiving hop): sender's local port -> which delivery it carries. */
  const connections = ids.map(() => new Map<number, ConnectionInfo>());
  // Faults look a delivery up while its connection is open; once the sender recorded the session it is
  // over, and the entry goes (a long `up` would keep one per port ever used, up to ~28,000 per link).
  const linkIndex = new Map(linkNames.map((l, i) => [l, i]));
  trace.subscribe((e) => {
    if (e.kind !== 'session') return;
    const open = connections[linkIndex.get(e.link) ?? -1];
    const info = open?.get(e.localPort);
    if (info && info.messageId === e.messageId && info.attempt === e.attempt && info.connection === e.connection) open.delete(e.localPort);
  });
  const dsns: Dsn[] = [];
  const queues: RelayQueue[] = [];
  const servers: StartedUnit[] = [];
  const proxies: StartedUnit[] = [];
  const engines: StartedEngine[] = [];
  // Hops whose queues mailhop cannot see (engines/): which messages they hold, and the clock waits for them.
  const holds = new EngineHolds(opaqueHopsOf(scenario, linkNames), clock, options.engineSettleMs ?? 15_000);
  trace.subscribe((e) => holds.observe(e));
  const deliveryIds = new DeliveryIds({ binding: opaqueSender.map((o) => (o ? 'sealed' : 'announced')), clientOf: (i, upstream) => proxies[i]?.clientOf?.(upstream) });
  // A sender's session ended: its connection no longer carries the message (the id is not believed on it).
  trace.subscribe((e) => {
    const link = e.kind === 'session' ? linkIndex.get(e.link) : undefined;
    if (e.kind === 'session' && link !== undefined) deliveryIds.ended(link, e.localPort, e.messageId);
  });
  // Wire records arrive when both sockets of a proxied connection have closed, a moment after the
  // sender's session ended; the report waits for them so the wire witness is never missing.
  let finishedRecords = 0;
  let openedRecords = 0; // counted, not read from records() (a sorted copy of every record, per record)
  let quietWaiter: (() => void) | null = null;
  // Links whose sender is an engine are left out: OpenSMTPD keeps an idle connection open 10 s (report() snapshots it).
  const wireQuiet = () => finishedRecords >= openedRecords;
  const waitForWire = (limitMs: number) =>
    new Promise<void>((resolve) => {
      if (wireQuiet()) return resolve();
      const timer = setTimeout(done, limitMs);
      function done() {
        clearTimeout(timer);
        quietWaiter = null;
        resolve();
      }
      quietWaiter = done;
    });

  const stopAll = async () => {
    clock.stop();
    holds.dispose();
    for (const q of queues) q.stop();
    await Promise.allSettled([...proxies.map((p) => p.stop()), ...servers.map((s) => s.stop()), ...engines.map((e) => e.stop())]);
    await runtime.stop();
  };

  // Each hop's queue is created once its outbound proxy exists; until then incoming mail cannot arrive.
  const hopQueues: Array<RelayQueue | null> = ids.map(() => null);
  const onBounce = (hop: string) => (message: { id: string; from: string }, reply: Dsn['reply']) => {
    if (message.from) dsns.push({ messageId: message.id, hop, to: message.from, reply, at: clock.now() });
  };

  try {
    const certs = await Promise.all(scenario.hops.map((hop, i) => pki.issue(hostnames[i], hop.inbound.cert)));
    const opaque = await planOpaqueAddresses(scenario, options.allowExternal ?? false);
    const started = await startEach(
      scenario.hops,
      servers,
      async (hop, i) =>
        (hop.engine ?? 'mock') !== 'mock' ? null : runtime.startHop({
          kind: 'hop',
          hopId: hop.id,
          hostname: hostnames[i],
          inbound: hop.inbound,
          keyCert: certs[i],
          inboundLink: linkNames[i],
          host,
          wallStart: clock.wallStart,
        }, {
          emit: (e) => trace.emit(e),
          date: () => clock.date(),
          // Any mock hop stamps: hand-sent mail may reach it through a real engine, which adds no id.
          ...(options.stampMissingId ? { assignId: deliveryIds.assignIdFor(i) } : {}),
          onMessage: (m: AcceptedMessage) => {
            if (i === ids.length - 1) {
              mailbox.push({ ...m, at: clock.now() });
              if (bounded && mailbox.length > options.keepFinished!) mailbox.splice(0, mailbox.length - Math.ceil(options.keepFinished! / 2));
              trace.emit({ kind: 'delivered', source: 'receiver', link: linkNames[i], hop: hop.id, messageId: m.id });
              return;
            }
            const queue = hopQueues[i];
            if (!queue) throw new MailhopError('ECHAIN', `hop ${hop.id} received mail before its queue was ready`, { hop: hop.id });
            queue.enqueue({ id: m.id, from: m.from, to: m.to, raw: m.raw, inbound: m.inbound });
          },
        }),
    );
    // On-path attackers (scenario `links:`) act in the link proxies; they learn which delivery a connection
    // carries from `connections` (a runtime elsewhere is told through announce()).
    const remote = runtime.name !== 'in-process';
    const startedProxies = await startEach(
      started,
      proxies,
      async (server, i) => {
        const listen = { host: opaque[i].proxyListen?.host ?? host, fixed: fixedProxyPort(scenario, i, options.portBase) };
        return runtime.startLinkProxy({
          kind: 'link',
          name: linkNames[i],
          host: listen.host,
          port: listen.fixed?.port,
          target: server?.address ?? opaque[i].target!,
          faults: scenario.links,
          servername: hostnames[i],
          // A proxy elsewhere cannot call back for the interceptor's certificate: issued up front.
          ...(remote && scenario.links.some((l) => l.fault === 'intercept' && `${l.from}->${l.to}` === linkNames[i])
            ? { attackerCert: await pki.issue(hostnames[i], 'untrusted-ca') } : {}),
          // With a trace limit, the proxies keep no finished records either (the trace has them).
          ...(options.traceLimit === undefined && !bounded ? {} : { keepRecords: 0 }),
        }, {
          deliveryOf: (port) => connections[i].get(port),
          attackerCert: () => pki.issue(hostnames[i], 'untrusted-ca'),
          onOpen: () => {
            if (!opaqueSender[i]) openedRecords++;
          },
          onRecord: (record) => {
            trace.emit({ kind: 'wire', source: 'wire', link: linkNames[i], record });
            if (!opaqueSender[i]) finishedRecords++;
            if (quietWaiter && wireQuiet()) quietWaiter();
          },
        }).catch((err: unknown) => {
          throw listen.fixed ? fixedPortError(err, ids[i], linkNames[i], { host: listen.host, port: listen.fixed.port }, listen.fixed) : err;
        });
      },
    );
    engines.push(
      ...(await startChainEngines({
        scenario, hostnames, linkNames, certs, caCert: pki.ca.cert, addresses: opaque, proxies: startedProxies.map((p) => p.address),
        trace, now: () => clock.now(), onlyMessageAt: (hop) => holds.only(hop),
        onMailbox: (m) => mailbox.push({ id: m.id, from: m.from, to: m.to, raw: m.raw, inbound: m.inbound, at: clock.now() }),
      })),
    );
    const targetFor = (senderIndex: number) => {
      // senderIndex -1 is the injecting client; it sends into hop 0.
      const to = senderIndex + 1;
      const policy = senderIndex < 0 ? scenario.submit : scenario.hops[senderIndex].outbound;
      return {
        hop: senderIndex < 0 ? 'client' : ids[senderIndex],
        link: linkNames[to],
        policy,
        address: startedProxies[to].address,
        servername: hostnames[to],
        implicitTls: scenario.hops[to].inbound.starttls === 'implicit',
        ehloName: senderIndex < 0 ? `client.${HOST_DOMAIN}` : hostnames[senderIndex],
        ca: [pki.ca.cert],
        tlsContexts,
        trace,
        now: () => clock.now(),
        onConnect: (info: ConnectionInfo) => {
          connections[to].set(info.localPort, info);
          deliveryIds.connected(to, { host: info.localAddress, port: info.localPort }, info.messageId);
          runtime.announce?.(linkNames[to], info.localPort, info, clock.now());
        },
      };
    };
    for (let i = 0; i < ids.length - 1; i++) {
      const queue = new RelayQueue({ target: targetFor(i), clock, onBounce: onBounce(ids[i]), runUntil: (id) => budget.until(id) });
      hopQueues[i] = queue;
      queues.push(queue);
    }
    const submitQueue = new RelayQueue({ target: targetFor(-1), clock, onBounce: onBounce('client'), runUntil: (id) => budget.until(id) });
    queues.push(submitQueue);

    const hops: HopAddresses[] = ids.map((id, i) => ({ id, hostname: hostnames[i], server: started[i]?.address ?? opaque[i].target!, proxy: startedProxies[i].address }));

    const send = async (input: MessageInput): Promise<string> => {
      // A scenario's messages are parsed and their files read already; a message from the API is parsed here.
      const message = scenario.messages.includes(input as Message) ? (input as Message) : resolveSentMessage(Message.parse(input));
      const id = deliveryIds.issue();
      const raw = await new MailComposer({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.body ?? DEFAULT_BODY,
        attachments: message.attachments.map((a) => ({ ...a })),
        date: clock.date(),
        messageId: `<${id}.${clock.wallStart}@client.${HOST_DOMAIN}>`,
        // Under `up`, with the chain's seal: a hop after a real engine believes the id only with it.
        headers: { ...message.headers, 'X-Mailhop-Id': id, ...(options.stampMissingId ? { 'X-Mailhop-Seal': deliveryIds.sealOf(id) } : {}) },
      })
        .compile()
        .build();
      submitQueue.enqueue({ id, from: message.from, to: [...message.to], raw, inbound: null });
      return id;
    };

    const isDone = () => queues.every((q) => q.held().length === 0) && holds.held().length === 0;
    const settle = async () => {
      const result = await clock.run(() => budget.end(), isDone);
      await waitForWire(2_000);
      return result;
    };
    const judgeContext = (): JudgeContext => ({
      file: options.file, held: heldNow(), dsns: [...dsns],
      ...(tally ? { accounting: tally.problems(heldNow(), ids[ids.length - 1]) } : {}),
    });
    // With keepFinished, the running index (forgotten messages' verdicts included) rather than the trace kept.
    const judged = () => (finals ? finals.index : [...trace.events(), ...openOpaqueRecords()]);
    const context = (): JudgeContext => ({ ...judgeContext(), ...(finals ? { finished: finals } : {}) });
    const report = () => judgeScenario(scenario, judged(), context());
    const judge = (judgeOptions: { signal?: AbortSignal } = {}) => judgeScenarioAsync(scenario, judged(), context(), judgeOptions);
    const heldNow = () => [
      ...queues.flatMap((q, qi) => q.held().map((m) => ({ messageId: m.id, hop: qi === queues.length - 1 ? 'client' : ids[qi] }))),
      ...holds.held(),
    ];
    // What the wire saw so far on connections an engine still holds open (judged, not recorded in the trace).
    const openOpaqueRecords = (): TraceEvent[] => {
      const recorded = new Set(trace.events().flatMap((e) => (e.kind === 'wire' ? [e.record.id] : [])));
      return startedProxies.flatMap((p, i) =>
        !opaqueSender[i] ? [] : p.records().filter((r) => !recorded.has(r.id)).map((record) => ({ kind: 'wire' as const, source: 'wire' as const, link: linkNames[i], record, seq: 0, at: clock.now() })),
      );
    };

    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= stopAll());
    return {
      scenario,
      hops,
      send,
      settle,
      report,
      judge,
      async run(runOptions = {}) {
        for (const m of scenario.messages) await send(m);
        await settle();
        return judge(runOptions);
      },
      events: () => trace.events(),
      subscribe: (listener) => trace.subscribe(listener),
      mailbox: () => [...mailbox],
      dsns: () => [...dsns],
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await stopAll();
    if (err instanceof MailhopError) throw err;
    throw new MailhopError('ECHAIN', `could not start scenario ${scenario.name}: ${(err as Error).message}`, {}, { cause: err });
  }
}
