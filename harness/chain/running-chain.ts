/**
 * A started chain: sends, settles on the virtual clock, judges, and stops. Its sockets are the units
 * start-chain.ts started from the plan; what it knows is in its records (chain-records.ts).
 */
import type { StartedEngine } from '../engines/start-engine.js';
import type { RunDns } from './chain-dns.js';
import type { RelayQueue } from '../mta/relay-queue.js';
import type { ChainRuntime, StartedUnit } from '../runtime/runtime.js';
import { Message, type MessageInput } from '../scenario/schema.js';
import { resolveSentMessage } from '../scenario/message-files.js';
import type { TraceEvent } from '../trace/events.js';
import { judgeScenario, judgeScenarioAsync, type JudgeContext, type ScenarioReport } from '../verdict/judge-scenario.js';
import type { ChainRecords } from './chain-records.js';
import type { ChainOptions, Dsn, ExpectedSubmission, HopAddresses, MailboxMessage, StartedChain, Submission } from './chain-types.js';
import { MailhopError } from '../errors.js';
import { ID_HEADER, SEAL_HEADER } from '../mta/id-claim.js';
import { composeMessage } from './compose-message.js';
import type { ChainPlan } from './plan-chain.js';
import type { RunPki } from '../pki/run-pki.js';
import { finalReports, reportingHops, sendTlsRptReports } from '../tlsrpt/send-reports.js';
import { ENDPOINT_NAME, type StartedReportEndpoint } from '../tlsrpt/report-endpoint.js';
import type { RunTlsRptReport } from '../tlsrpt/tlsrpt-run.js';

/** Real ms settle() waits for the last wire records after the clock stopped (a record that never comes must not hold a run). */
const WIRE_WAIT_MS = 2_000;

/** What a chain started, filled in as start-chain.ts starts it (and stopped from here, whatever got started). */
export interface ChainUnits {
  readonly runtime: ChainRuntime;
  readonly servers: StartedUnit[];
  /** Link proxies, by link index (the hop they lead to). */
  readonly proxies: StartedUnit[];
  readonly engines: StartedEngine[];
  /** Per hop: where its server listens (a mock's, a real engine's, an external gateway's). */
  readonly serverAddresses: Array<{ host: string; port: number }>;
  /** One per sender mailhop drives, by sender id (`client`, or the hop's id). */
  readonly queues: Map<string, RelayQueue>;
  /** The run's DNS server, when the scenario has a `dns:` block. */
  dns?: RunDns;
  /** The run's CA certificate (PEM), once the PKI is made. */
  caCert: string;
  /** The run's PKI, once made (TLS-RPT's HTTPS endpoint takes a certificate from it). */
  pki?: RunPki;
}

export class RunningChain implements StartedChain {
  readonly scenario;
  hops: readonly HopAddresses[] = [];
  readonly #plan: ChainPlan;
  readonly #records: ChainRecords;
  readonly #units: ChainUnits;
  readonly #options: ChainOptions;
  #stopping: Promise<void> | null = null;
  /** TLS-RPT (RFC 8460): the reports sent, the ids of their mail, the HTTPS endpoints started for them. */
  readonly #tlsRpt = { sent: [] as RunTlsRptReport[], mailIds: new Set<string>(), endpoints: new Map<string, StartedReportEndpoint>() };

  constructor(plan: ChainPlan, records: ChainRecords, units: ChainUnits, options: ChainOptions) {
    this.scenario = plan.scenario;
    this.#plan = plan;
    this.#records = records;
    this.#units = units;
    this.#options = options;
  }

  /** Everything started: the addresses are known. */
  ready(): void {
    this.hops = this.#plan.hops.map((hop, i) => ({
      id: hop.id,
      hostname: hop.hostname,
      server: this.#units.serverAddresses[i],
      proxy: this.#units.proxies[i].address,
    }));
  }

  async send(input: MessageInput): Promise<string> {
    this.#checkSender('client', 'send');
    // A scenario's messages are parsed and their files read already; a message from the API is parsed here.
    const message = this.scenario.messages.includes(input as Message) ? (input as Message) : resolveSentMessage(Message.parse(input));
    const { ids, clock } = this.#records;
    const id = ids.issue();
    // Under `up`, with the chain's seal: a hop after a real engine believes the id only with it.
    const raw = await composeMessage(message, id, clock, this.#options.stampMissingId ? ids.sealOf(id) : undefined);
    this.#units.queues.get('client')!.enqueue({ id, from: message.from, to: [...message.to], raw, inbound: null, ...(message.requireTls ? { requireTls: true } : {}) });
    return id;
  }

  submission(): Submission {
    const { host, port } = this.#units.proxies[0].address;
    return { host, port, servername: this.#plan.hops[0].hostname, ca: this.#units.caCert };
  }

  expectSubmission(): ExpectedSubmission {
    this.#checkSender('app', 'expectSubmission');
    const { ids, trace } = this.#records;
    const id = ids.announce();
    trace.emit({ kind: 'app-sender', source: 'chain', link: this.#plan.links[0].name, messageId: id });
    return { id, headers: { [ID_HEADER]: id, [SEAL_HEADER]: ids.sealOf(id) } };
  }

  /** `send` is mailhop's client's; `expectSubmission` the application's. */
  #checkSender(needed: 'client' | 'app', call: string): void {
    const app = this.#plan.links[0].senderKind === 'app';
    if (app === (needed === 'app')) return;
    throw MailhopError.of('EUSAGE', {
      where: `scenario ${this.scenario.name}`, what: `call chain.${call}()`,
      why: app ? 'the application under test submits its mail (submit: { sender: app })' : 'mailhop\'s client submits the mail (no submit: { sender: app })',
      hint: app ? 'Send from your application to chain.submission(), announcing each message with chain.expectSubmission().' : 'Use chain.send().',
    });
  }

  async settle(): Promise<'done' | 'limit' | 'stopped'> {
    const { clock, budget, holds, wire } = this.#records;
    const queues = [...this.#units.queues.values()];
    const result = await clock.run(() => budget.end(), () => queues.every((q) => q.held().length === 0) && holds.held().length === 0);
    await wire.wait(WIRE_WAIT_MS);
    return result;
  }

  report(): ScenarioReport {
    return judgeScenario(this.scenario, this.#judged(), this.#context());
  }

  judge(options: { signal?: AbortSignal } = {}): Promise<ScenarioReport> {
    return judgeScenarioAsync(this.scenario, this.#judged(), this.#context(), options);
  }

  async run(options: { signal?: AbortSignal } = {}): Promise<ScenarioReport> {
    for (const m of this.scenario.messages) await this.send(m);
    await this.settle();
    await this.sendTlsRptReports();
    return this.judge(options);
  }

  /**
   * The reporting step (RFC 8460 §5, tlsrpt/send-reports.ts): every hop with `tlsRpt` builds its reports from the trace
   * so far and sends them as the policy domains' `_smtp._tls` records say; report mail is then settled like any mail.
   * `run()` calls it once the scenario's mail has settled. Does nothing when no hop reports.
   */
  async sendTlsRptReports(): Promise<void> {
    if (reportingHops(this.scenario).length === 0) return;
    const { ids, clock, trace } = this.#records;
    const sent = await sendTlsRptReports({
      scenario: this.scenario, events: () => trace.events(), day0: this.#day0(),
      ...(this.#units.dns ? { dns: this.#units.dns.address } : {}),
      issueId: () => ids.issue(),
      enqueue: (hop, m) => {
        this.#tlsRpt.mailIds.add(m.id);
        this.#units.queues.get(hop)!.enqueue({ ...m, inbound: null });
      },
      date: () => clock.date(), ca: this.#units.caCert,
      endpointCert: () => this.#units.pki!.issue(ENDPOINT_NAME, 'valid'),
      endpoints: this.#tlsRpt.endpoints,
    });
    this.#tlsRpt.sent.push(...sent);
    if (this.#tlsRpt.mailIds.size > 0) await this.settle();
  }

  /** The UTC date of virtual 0, `YYYY-MM-DD`: TLS-RPT days count from it. */
  #day0(): string {
    return new Date(this.#records.clock.wallStart).toISOString().slice(0, 10);
  }

  /** The reports as the final trace makes them (the report mail left out), each with how it left. */
  #tlsRptContext(): JudgeContext['tlsRpt'] {
    if (reportingHops(this.scenario).length === 0) return undefined;
    const { sent, mailIds, endpoints } = this.#tlsRpt;
    const reports = finalReports(this.scenario, this.#records.trace.events(), this.#day0(), sent, mailIds);
    return { reports, posts: [...endpoints.values()].flatMap((e) => e.posts()), mailIds, day0: this.#day0() };
  }

  events(): TraceEvent[] {
    return this.#records.trace.events();
  }

  subscribe(listener: (event: TraceEvent) => void): () => void {
    return this.#records.trace.subscribe(listener);
  }

  mailbox(): MailboxMessage[] {
    return this.#records.mailbox();
  }

  dsns(): Dsn[] {
    return [...this.#records.dsns];
  }

  stop(): Promise<void> {
    return (this.#stopping ??= this.#stopAll());
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #stopAll(): Promise<void> {
    const { clock, holds } = this.#records;
    const { queues, proxies, servers, engines, runtime } = this.#units;
    clock.stop();
    holds.dispose();
    for (const q of queues.values()) q.stop();
    await Promise.allSettled([
      ...proxies.map((p) => p.stop()), ...servers.map((s) => s.stop()), ...engines.map((e) => e.stop()), ...(this.#units.dns ? [this.#units.dns.stop()] : []),
      ...[...this.#tlsRpt.endpoints.values()].map((e) => e.stop()),
    ]);
    await runtime.stop();
  }

  /** Messages still held, and where: in a queue of ours (by its sender) or inside a real engine. */
  #held(): Array<{ messageId: string; hop: string; destination?: string }> {
    return [
      ...[...this.#units.queues].flatMap(([sender, q]) => q.held().map((m) => ({ messageId: m.id, hop: sender, ...(m.destination === undefined ? {} : { destination: m.destination }) }))),
      ...this.#records.holds.held(),
    ];
  }

  #context(): JudgeContext {
    const { tally, finals, dsns } = this.#records;
    const held = this.#held();
    const last = this.#plan.mailboxes.join(' or ');
    const tlsRpt = this.#tlsRptContext();
    return {
      file: this.#options.file, held, dsns: [...dsns], ...(tlsRpt ? { tlsRpt } : {}),
      ...(tally ? { accounting: tally.problems(held, last) } : {}),
      ...(finals ? { finished: finals } : {}),
    };
  }

  /** With keepFinished, the running index (forgotten messages' verdicts included) rather than the trace kept. */
  #judged() {
    const { finals, trace } = this.#records;
    return finals ? finals.index : [...trace.events(), ...this.#openSessionlessRecords()];
  }

  /** What the wire saw so far on connections a real engine or an external server still holds open (judged, not recorded in the trace). */
  #openSessionlessRecords(): TraceEvent[] {
    const { trace, clock } = this.#records;
    const recorded = new Set(trace.events().flatMap((e) => (e.kind === 'wire' ? [e.record.id] : [])));
    return this.#plan.links.flatMap((link) =>
      link.driven
        ? []
        : this.#units.proxies[link.toIndex].records().filter((r) => !recorded.has(r.id))
          .map((record) => ({ kind: 'wire' as const, source: 'wire' as const, link: link.name, record, seq: 0, at: clock.now() })),
    );
  }
}
