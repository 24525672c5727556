/**
 * A started relay chain: the mock MTAs of a scenario on loopback, a link proxy in front of each,
 * the injecting client's queue, the virtual clock and the trace. Build, freeze, start: the
 * scenario is validated and immutable before anything listens; chains share no state, so many
 * can run in one process at once.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { MailhopError } from '../errors.js';
import { RunPki } from '../pki/run-pki.js';
import { linkNamesOf, type Message, type Scenario } from '../scenario/schema.js';
import { VirtualClock } from './virtual-clock.js';
import { Trace } from '../trace/trace.js';
import type { TraceEvent } from '../trace/events.js';
import { startHopServer, type AcceptedMessage, type StartedHopServer } from '../mta/hop-server.js';
import { RelayQueue } from '../mta/relay-queue.js';
import type { ConnectionInfo } from '../mta/deliver-attempt.js';
import { LinkProxy, type StartedLinkProxy } from '../link/link-proxy.js';
import { linkFaultsFor } from '../link/faults/index.js';
import { judgeScenario, type ScenarioReport } from '../verdict/judge-scenario.js';

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
   * The first hop gives mail without an `X-Mailhop-Id` header an id (`m<n>`, from the same counter as
   * {@link StartedChain.send}) instead of refusing it, so people can send by hand (`mailhop up`, swaks).
   */
  stampMissingId?: boolean;
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
  send(message: Message): Promise<string>;
  /** Runs the virtual clock until every message is delivered or bounced, or `runFor` is reached. */
  settle(): Promise<'done' | 'limit' | 'stopped'>;
  /** Sends every message of the scenario, settles, and judges. */
  run(): Promise<ScenarioReport>;
  /** Judges what happened so far. */
  report(): ScenarioReport;
  events(): TraceEvent[];
  /** Calls `listener` with every new trace event as it is recorded; returns the unsubscribe function. */
  subscribe(listener: (event: TraceEvent) => void): () => void;
  mailbox(): MailboxMessage[];
  dsns(): Dsn[];
  stop(): Promise<void>;
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
  const clock = new VirtualClock();
  const trace = new Trace(clock);
  const pki = await RunPki.create();
  const ids = scenario.hops.map((h) => h.id);
  const linkNames = linkNamesOf(ids);
  const hostnames = ids.map((id) => `${id}.${HOST_DOMAIN}`);
  const mailbox: MailboxMessage[] = [];
  /** Per link (index of the receiving hop): sender's local port -> which delivery it carries. */
  const connections = ids.map(() => new Map<number, ConnectionInfo>());
  const dsns: Dsn[] = [];
  const queues: RelayQueue[] = [];
  const servers: StartedHopServer[] = [];
  const proxies: StartedLinkProxy[] = [];
  let nextId = 0;
  // Wire records arrive when both sockets of a proxied connection have closed, a moment after the
  // sender's session ended; the report waits for them so the wire witness is never missing.
  let finishedRecords = 0;
  let quietWaiter: (() => void) | null = null;
  const wireQuiet = () => finishedRecords >= proxies.reduce((n, p) => n + p.records().length, 0);
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
    for (const q of queues) q.stop();
    await Promise.allSettled([...proxies.map((p) => p.stop()), ...servers.map((s) => s.stop())]);
  };

  // Each hop's queue is created once its outbound proxy exists; until then incoming mail cannot arrive.
  const hopQueues: Array<RelayQueue | null> = ids.map(() => null);
  const onBounce = (hop: string) => (message: { id: string; from: string }, reply: Dsn['reply']) => {
    if (message.from) dsns.push({ messageId: message.id, hop, to: message.from, reply, at: clock.now() });
  };

  try {
    const certs = await Promise.all(scenario.hops.map((hop, i) => pki.issue(hostnames[i], hop.inbound.cert)));
    const started = await Promise.all(
      scenario.hops.map((hop, i) =>
        startHopServer({
          hopId: hop.id,
          hostname: hostnames[i],
          inbound: hop.inbound,
          keyCert: certs[i],
          inboundLink: linkNames[i],
          trace,
          clock,
          host,
          ...(options.stampMissingId && i === 0 ? { stampMissingId: () => `m${++nextId}` } : {}),
          onMessage: (m) => {
            if (i === ids.length - 1) {
              mailbox.push({ ...m, at: clock.now() });
              trace.emit({ kind: 'delivered', source: 'receiver', link: linkNames[i], hop: hop.id, messageId: m.id });
              return;
            }
            const queue = hopQueues[i];
            if (!queue) throw new MailhopError('ECHAIN', `hop ${hop.id} received mail before its queue was ready`, { hop: hop.id });
            queue.enqueue({ id: m.id, from: m.from, to: m.to, raw: m.raw, inbound: m.inbound });
          },
        }),
      ),
    );
    servers.push(...started);
    // On-path attackers (scenario `links:`); they learn which delivery a connection carries from `connections`.
    const faults = await Promise.all(
      linkNames.map((name, i) =>
        linkFaultsFor(scenario.links, name, {
          deliveryOf: (port) => connections[i].get(port),
          servername: hostnames[i],
          attackerCert: () => pki.issue(hostnames[i], 'untrusted-ca'),
        }),
      ),
    );
    const startedProxies = await Promise.all(
      started.map((server, i) =>
        LinkProxy.start({
          name: linkNames[i],
          host,
          target: server.address,
          faults: faults[i],
          onRecord: (record) => {
            trace.emit({ kind: 'wire', source: 'wire', link: linkNames[i], record });
            finishedRecords++;
            if (quietWaiter && wireQuiet()) quietWaiter();
          },
        }),
      ),
    );
    proxies.push(...startedProxies);
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
        trace,
        now: () => clock.now(),
        onConnect: (info: ConnectionInfo) => connections[to].set(info.localPort, info),
      };
    };
    for (let i = 0; i < ids.length - 1; i++) {
      const queue = new RelayQueue({ target: targetFor(i), clock, onBounce: onBounce(ids[i]) });
      hopQueues[i] = queue;
      queues.push(queue);
    }
    const clientQueue = new RelayQueue({ target: targetFor(-1), clock, onBounce: onBounce('client') });
    queues.push(clientQueue);

    const hops: HopAddresses[] = ids.map((id, i) => ({ id, hostname: hostnames[i], server: started[i].address, proxy: startedProxies[i].address }));

    const send = async (message: Message): Promise<string> => {
      const id = `m${++nextId}`;
      const raw = await new MailComposer({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.body,
        date: clock.date(),
        messageId: `<${id}.${clock.wallStart}@client.${HOST_DOMAIN}>`,
        headers: { 'X-Mailhop-Id': id },
      })
        .compile()
        .build();
      clientQueue.enqueue({ id, from: message.from, to: [...message.to], raw, inbound: null });
      return id;
    };

    const isDone = () => queues.every((q) => q.held().length === 0);
    const settle = async () => {
      const result = await clock.run(scenario.runFor, isDone);
      await waitForWire(2_000);
      return result;
    };
    const report = () => judgeScenario(scenario, trace.events(), { file: options.file, held: heldNow(), dsns: [...dsns] });
    const heldNow = () =>
      queues.flatMap((q, qi) => q.held().map((m) => ({ messageId: m.id, hop: qi === queues.length - 1 ? 'client' : ids[qi] })));

    let stopping: Promise<void> | null = null;
    const stop = () => (stopping ??= stopAll());
    return {
      scenario,
      hops,
      send,
      settle,
      report,
      async run() {
        for (const m of scenario.messages) await send(m);
        await settle();
        return report();
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
