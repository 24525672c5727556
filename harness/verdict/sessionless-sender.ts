/**
 * Link verdicts when the sender records no `session` events: a real engine (engine-sender.ts) or an
 * external server (external-sender.ts). The verdict rests on the receiver's `accepted` event, the link's
 * wire records and, for a real engine, what its own log said (`engine` events: TLS established or failed,
 * plaintext fallback, deferred, relayed). Pure, like mock-sender.ts, whose verdict names and meanings it keeps.
 *
 * Wire records carry no message id when the content crossed inside TLS; a record is tied to this
 * message when its id crossed in clear, when the receiver accepted it on the record's connection, or when
 * the engine's log names it for a failed attempt the record stands for (log-tied-connections.ts); records
 * tied to no message belong to this one when it is the only message the link carried (else they count for
 * the link as a whole, see notes).
 */
import type { LinkVerdictName } from '../scenario/schema.js';
import type { AcceptedEvent, EffectivePolicy, EngineEvent } from '../trace/events.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { WireRecord } from '../link/wire-record.js';
import { faultNotes, type FaultAttribution } from './fault-attribution.js';
import type { MessageLinkVerdict, Witnesses } from './sender-witness.js';
import type { TraceIndex } from './trace-index.js';
import { sessionlessLink, type SessionlessLink } from './sessionless-link.js';
import { tlsOr, witnessDisagreement } from './witness-agreement.js';
import { appConnectionNote } from './app-connection-note.js';

const short = (line: string) => (line.length > 160 ? `${line.slice(0, 159)}…` : line);

function faultsOnRecord(record: WireRecord, n: number): FaultAttribution[] {
  const byFault = new Map<string, FaultAttribution>();
  for (const event of record.faults) {
    let entry = byFault.get(event.fault);
    if (!entry) byFault.set(event.fault, (entry = { fault: event.fault, attempt: n, connection: 1, did: [] }));
    const did = event.note ?? event.action;
    if (!entry.did.includes(did)) entry.did.push(did);
    if (event.effect && entry.effect !== 'tls-intercepted') entry.effect = event.effect;
  }
  return [...byFault.values()];
}

/** One message on a link whose sender records no sessions: what each witness has of it. */
interface MessageOnLink {
  link: string;
  /** The sending hop. */
  from: string;
  messageId: string;
  /** The receiver's first `accepted` event for it. */
  accepted: AcceptedEvent | undefined;
  /** The engine's log facts about it, in trace order. */
  facts: EngineEvent[];
  /** The wire records tied to it (id in clear, accepted on their connection, or named by the engine's log), in trace order. */
  mine: WireRecord[];
  /** The records its verdict weighs: `mine`, plus the untied ones when it is the only message the link carried. */
  records: WireRecord[];
  /** Link faults on `records`, numbered by connection. */
  attributions: FaultAttribution[];
  /** The engine's own `relayed` fact, if its log had one. */
  relayedFact: EngineEvent | undefined;
  /** The receiver accepted it over a TLS session with encryption; undefined when it did not accept it. */
  receiverTls: boolean | undefined;
  /** The wire saw its id in clear. */
  clearOnWire: boolean;
  crossedInClear: boolean;
  /** The engine's configured outbound policy. */
  policy: EffectivePolicy | undefined;
}

/** Who sends on a link without sessions: a real engine (`engine`, its configured `policy`), the application under test (`app`), or else an external server. */
export interface SessionlessSender {
  engine?: RealEngineName;
  policy?: EffectivePolicy;
  /** For an engine routing by MX: why the recipient domains' DNS (DANE, MTA-STS enforce) requires TLS on the link (a crossing in clear is then a leak). */
  dnsRequiresTls?: string;
  /** The application under test on the submission link (`submit: { sender: app }`): every message it is said to send starts with it. */
  app?: boolean;
}

/**
 * Judges one message on a link whose sender records no sessions: a real engine (`engine`: its log is read) or an
 * external server (no `engine`). `policy` is the outbound policy the engine was configured with (a leak is
 * content in clear under `mandatory`).
 */
export function judgeSessionless(index: TraceIndex, link: string, messageId: string, sender: SessionlessSender): MessageLinkVerdict {
  const [from] = link.split('->');
  const accepted = index.accepted(link, messageId)[0];
  const view = sessionlessLink(index, link);
  const facts = view.facts.get(messageId) ?? [];
  const { mine, records, soleMessage, reachedSender } = recordsOf(index, view, from, messageId, accepted, sender.app === true);
  const receiverTls = accepted ? accepted.secure && !accepted.tls?.nullCipher : undefined;
  const clearOnWire = view.byClearId.has(messageId);
  const m: MessageOnLink = {
    link, from, messageId, accepted, facts, mine, records,
    attributions: records.flatMap((r, i) => faultsOnRecord(r, i + 1)),
    relayedFact: facts.find((f) => f.fact === 'relayed'),
    receiverTls,
    clearOnWire,
    crossedInClear: clearOnWire || (accepted !== undefined && !receiverTls),
    policy: sender.policy,
  };

  const notes = senderNotes(m, sender, !soleMessage && view.untied.length > 0 && reachedSender ? view.untied.length : 0);
  const configured = m.policy === 'mandatory' || m.policy === 'verify';
  const leak = m.crossedInClear && (configured || sender.dnsRequiresTls !== undefined);
  if (leak) notes.push(`LEAK: content crossed in clear although ${configured ? `${sender.engine} was configured ${m.policy}` : sender.dnsRequiresTls}`);
  const delivered = Boolean(accepted || m.relayedFact || clearOnWire);
  const { witnesses, disagreement } = weighWitnesses(m, delivered);
  // Deferrals or a bounce alone, with nothing on the wire: the engine never connected (its MX or TLSA lookup failed
  // or found no usable record, RFC 7672 §2.2), so the message did not reach the link, as a mock sender's `none` says.
  const reachedLink = records.length > 0 || facts.some((f) => f.fact !== 'deferred' && f.fact !== 'bounced');
  const verdict = delivered ? deliveredVerdict(m, notes) : reachedLink ? 'refused' : 'none';
  const tlsSeen = verdict === 'tls' || verdict === 'tls-verified' ? (accepted?.tls ?? m.relayedFact?.tls) : undefined;
  // The connection the receiver accepted it on resumed an earlier TLS session (docs/behaviour.md#B-resumption): the
  // wire says so; what the engine made of the certificate is its log's account, as after any handshake.
  const resumed = Boolean(tlsSeen && accepted && mine.some((r) => r.upstreamPort === accepted.remotePort && r.resumed));
  if (resumed) notes.push('TLS session resumed on the connection that carried it (the wire saw the ServerHello resume it)');
  return {
    link,
    messageId,
    verdict,
    ...(tlsSeen ? { version: tlsSeen.version, cipher: tlsSeen.cipher, ...(resumed ? { resumed: true as const } : {}) } : {}),
    sessions: records.length,
    witnesses,
    ...(disagreement ? { disagreement } : {}),
    crossedInClear: m.crossedInClear,
    leak,
    notes: verdict === 'none' ? [] : notes,
    ...(m.attributions.length > 0 ? { faults: m.attributions } : {}),
  };
}

/**
 * The wire records that stand for the message's sessions: its own (`mine`), and, when it is the only
 * message the link carried and it reached the sending hop, the link's untied records too.
 */
function recordsOf(index: TraceIndex, view: SessionlessLink, from: string, messageId: string, accepted: AcceptedEvent | undefined, app: boolean) {
  const { position, byClearId, byUpstream, byLog, carried, untied } = view;
  // A record is this message's when its id crossed in clear, when the receiver accepted it on the proxy's connection,
  // or when the engine logged a failed attempt of it that the record stands for.
  const mineSet = new Set([
    ...(byClearId.get(messageId) ?? []),
    ...(accepted ? (byUpstream.get(accepted.remotePort) ?? []) : []),
    ...(byLog.get(messageId) ?? []),
  ]);
  const mine = [...mineSet].sort((a, b) => position.get(a)! - position.get(b)!);
  // Did the message reach the sending hop at all (relayed to it, or accepted by it)? The application starts with all its mail.
  const reachedSender = app || index.own(messageId).some(
    (e) => ((e.kind === 'session' && e.result === 'relayed') || e.kind === 'accepted') && e.link.endsWith(`->${from}`),
  );
  const soleMessage = ((carried.size === 0 || (carried.size === 1 && carried.has(messageId))) && reachedSender) || (app && onlyUnaccepted(index, from, messageId));
  const records = soleMessage ? [...mine, ...untied].sort((a, b) => a.seq - b.seq) : mine;
  return { mine, records, soleMessage, reachedSender };
}

/**
 * The application's connections that carried no message belong to the one message a test announced for it that
 * the first hop never accepted (it gave up before MAIL), when there is exactly one. O(messages).
 */
function onlyUnaccepted(index: TraceIndex, from: string, messageId: string): boolean {
  const link = `${from}->`;
  const unaccepted = index.messageIds().filter((id) => {
    const own = index.own(id);
    return own.some((e) => e.kind === 'app-sender') && !own.some((e) => e.kind === 'accepted' && e.link.startsWith(link));
  });
  return unaccepted.length === 1 && unaccepted[0] === messageId;
}

/** Who the sender is and what it left to judge by, the connections that stayed untied, what faults did, and what the engine's log said went wrong. */
function senderNotes(m: MessageOnLink, sender: SessionlessSender, untiedCount: number): string[] {
  const real = sender.engine;
  const who = real ? `a real ${real}` : sender.app ? 'the application under test' : 'not driven by mailhop (external)';
  const notes: string[] = [`sender ${m.from} is ${who}: no sender sessions; judged from the receiver, the wire${real ? ` and ${real}'s log` : ''}`];
  if (untiedCount > 0) {
    notes.push(`${untiedCount} connection(s) on this link could not be tied to one message (content inside TLS, several messages)`);
  }
  if (sender.app) notes.push(...m.records.map((r, i) => appConnectionNote(r, i + 1)));
  notes.push(...faultNotes(m.attributions).map((n) => n.replace(/^attempt /, 'connection ')));
  for (const f of m.facts) {
    if (f.fact === 'tls-failed' || f.fact === 'plaintext-fallback' || f.fact === 'deferred' || f.fact === 'bounced') notes.push(`${f.engine} log: ${f.fact}: ${short(f.detail ?? f.line)}`);
  }
  return notes;
}

/**
 * How each witness saw the message (the engine by its `relayed` fact, the receiver, the wire by the deciding
 * record once it was delivered), and how they disagree, interception included.
 */
function weighWitnesses(m: MessageOnLink, delivered: boolean): { witnesses: Witnesses; disagreement: string | undefined } {
  const { accepted, records, mine, relayedFact, messageId } = m;
  const deciding = accepted?.secure
    ? records.filter((r) => r.handshake === 'established' || r.implicitTls).at(-1)
    : (mine.at(-1) ?? records.at(-1));
  const witnesses: Witnesses = {};
  if (relayedFact) witnesses.sender = tlsOr(Boolean(relayedFact.tls));
  if (accepted) witnesses.receiver = tlsOr(Boolean(m.receiverTls));
  if (deciding && delivered) witnesses.wire = tlsOr((deciding.handshake === 'established' || deciding.implicitTls) && !deciding.plaintextMessageIds.includes(messageId));
  let disagreement = witnessDisagreement(witnesses);
  if (accepted?.secure && m.clearOnWire) disagreement = `the receiver says TLS, but the wire saw message ${messageId} in clear`;
  // TLS interception (docs/behaviour.md#A-intercept): the engine's session ended at the fault, which opened its own to the receiver.
  const interceptor = m.attributions.find((a) => a.effect === 'tls-intercepted');
  if (interceptor) {
    const receiver = accepted?.tls ? `${accepted.tls.version} ${accepted.tls.cipher}` : 'none seen';
    const what = `the receiver saw a different TLS session from the sender's: ${interceptor.fault} on the link ended ${m.from}'s and opened its own to the receiver (${receiver}); the content was in clear in between`;
    disagreement = disagreement ? `${disagreement}; ${what}` : what;
  }
  return { witnesses, disagreement };
}

/**
 * The verdict of a delivered message: `tls-verified` when it stayed encrypted under a `verify` policy or DANE and the
 * engine's log says it verified the certificate, `tls` when it stayed encrypted, else `stripped`, `downgraded` or
 * `plain` (appending why to `notes`).
 */
function deliveredVerdict(m: MessageOnLink, notes: string[]): LinkVerdictName {
  const { accepted, records, facts, policy } = m;
  const tls = !m.crossedInClear && (m.receiverTls ?? Boolean(m.relayedFact?.tls));
  // As for a mock sender: only a policy that would have refused a bad certificate authenticates the link (RFC 7435 §3):
  // `verify`, or DANE, under which the engine verified it by TLSA records (RFC 7672 §3), or an enforced MTA-STS policy (RFC 8461 §4.2).
  const byPolicy = m.relayedFact?.tls?.dane || m.relayedFact?.tls?.mtaSts;
  if (tls) return (policy === 'verify' || byPolicy) && m.relayedFact?.tls?.verified ? 'tls-verified' : 'tls';
  if (accepted?.tls?.nullCipher) notes.push(`eNULL cipher ${accepted.tls.cipher}: TLS framing without encryption`);
  // Downgraded only when STARTTLS was tried (on the wire, or by the engine's own log); an engine
  // that chose not to try it (policy none) sent `plain`.
  const tried = records.some((r) => r.starttlsSent || r.implicitTls) || facts.some((f) => f.fact === 'tls-failed' || f.fact === 'plaintext-fallback');
  if (!tried && records.some((r) => r.starttlsAdvertised)) notes.push(`STARTTLS offered by ${m.link.split('->')[1]}; not used by ${m.from}${policy ? ` (policy ${policy})` : ''}`);
  const stripper = policy !== 'none' ? m.attributions.find((a) => a.effect === 'tls-denied') : undefined;
  if (stripper) notes.push(`stripped: in clear because ${stripper.fault} on the link kept TLS from being used, not because of the servers`);
  return stripper ? 'stripped' : tried ? 'downgraded' : 'plain';
}
