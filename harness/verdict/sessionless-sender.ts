/**
 * Link verdicts when the sender records no `session` events: a real engine (engine-sender.ts) or an
 * external server (external-sender.ts). The verdict rests on the receiver's `accepted` event, the link's
 * wire records and, for a real engine, what its own log said (`engine` events: TLS established or failed,
 * plaintext fallback, deferred, relayed). Pure, like mock-sender.ts, whose verdict names and meanings it keeps.
 *
 * Wire records carry no message id when the content crossed inside TLS; a record is tied to this
 * message when its id crossed in clear, and records tied to no message belong to this one when it
 * is the only message the link carried (else they count for the link as a whole, see notes).
 */
import type { LinkVerdictName } from '../scenario/schema.js';
import type { EffectivePolicy, EngineEvent } from '../trace/events.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { WireRecord } from '../link/wire-record.js';
import { faultNotes, type FaultAttribution } from './fault-attribution.js';
import type { MessageLinkVerdict, Witnesses } from './sender-witness.js';
import type { TraceIndex } from './trace-index.js';

const tlsOr = (yes: boolean): 'tls' | 'plain' => (yes ? 'tls' : 'plain');
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

/** What a link whose sender records no sessions says as a whole, worked out once per link and index state. */
interface SessionlessLink {
  /** Engine facts per message, in trace order. */
  facts: Map<string, EngineEvent[]>;
  /** The link's wire records, in trace order, with their position. */
  wires: WireRecord[];
  position: Map<WireRecord, number>;
  /** Records whose content carried a message's id in clear, per id; and records by the proxy's upstream port. */
  byClearId: Map<string, WireRecord[]>;
  byUpstream: Map<number, WireRecord[]>;
  /** Which messages this link carried, as far as any witness can tell. */
  carried: Set<string>;
  /** Records tied to no message: no id crossed in clear, and no hop accepted anything on their connection. */
  untied: WireRecord[];
}

const cache = new WeakMap<TraceIndex, { version: number; links: Map<string, SessionlessLink> }>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sessionlessLink(index: TraceIndex, link: string): SessionlessLink {
  let entry = cache.get(index);
  if (!entry || entry.version !== index.version) cache.set(index, (entry = { version: index.version, links: new Map() }));
  const known = entry.links.get(link);
  if (known) return known;
  const engineEvents = index.engineEvents(link);
  const accepted = index.acceptedOn(link);
  const wires = index.wires(link).map((e) => e.record);
  const facts = new Map<string, EngineEvent[]>();
  const carried = new Set<string>();
  for (const e of engineEvents) {
    if (e.messageId !== undefined) push(facts, e.messageId, e);
    if (e.messageId) carried.add(e.messageId);
  }
  for (const e of accepted) if (e.messageId) carried.add(e.messageId);
  const acceptedOn = new Set(accepted.map((e) => e.remotePort));
  /** Which messages the receiver accepted on each connection (by the proxy's upstream port, the remote port it saw). */
  const acceptedIds = new Map<number, Set<string>>();
  for (const e of accepted) if (e.messageId) acceptedIds.set(e.remotePort, (acceptedIds.get(e.remotePort) ?? new Set()).add(e.messageId));
  const byClearId = new Map<string, WireRecord[]>();
  const byUpstream = new Map<number, WireRecord[]>();
  for (const w of wires) {
    // An id in clear counts for its message only on a connection the receiver did not take as other mail:
    // anyone can write `X-Mailhop-Id: m1` into mail sent by hand, and that must not claim m1's outcome.
    const took = w.upstreamPort !== undefined ? acceptedIds.get(w.upstreamPort) : undefined;
    const ids = [...new Set(w.plaintextMessageIds)].filter((id) => !took || took.has(id));
    for (const id of ids) carried.add(id);
    for (const id of ids) push(byClearId, id, w);
    if (w.upstreamPort !== undefined) push(byUpstream, w.upstreamPort, w);
  }
  const built: SessionlessLink = {
    facts,
    wires,
    position: new Map(wires.map((w, i) => [w, i])),
    byClearId,
    byUpstream,
    carried,
    untied: wires.filter((w) => w.plaintextMessageIds.length === 0 && !(w.upstreamPort !== undefined && acceptedOn.has(w.upstreamPort))),
  };
  entry.links.set(link, built);
  return built;
}

/**
 * Judges one message on a link whose sender records no sessions: a real engine (`engine`: its log is read) or an
 * external server (no `engine`). `policy` is the outbound policy the engine was configured with (a leak is
 * content in clear under `mandatory`).
 */
export function judgeSessionless(index: TraceIndex, link: string, messageId: string, sender: { engine?: RealEngineName; policy?: EffectivePolicy }): MessageLinkVerdict {
  const [from] = link.split('->');
  const accepted = index.accepted(link, messageId)[0];
  const { position, byClearId, byUpstream, carried, untied, ...rest } = sessionlessLink(index, link);
  const facts = rest.facts.get(messageId) ?? [];

  // A record is this message's when its id crossed in clear, or when the receiver accepted it on the proxy's connection.
  const mineSet = new Set([...(byClearId.get(messageId) ?? []), ...(accepted ? (byUpstream.get(accepted.remotePort) ?? []) : [])]);
  const mine = [...mineSet].sort((a, b) => position.get(a)! - position.get(b)!);
  // Did the message reach the sending hop at all (relayed to it, or accepted by it)?
  const reachedSender = index.own(messageId).some(
    (e) => ((e.kind === 'session' && e.result === 'relayed') || e.kind === 'accepted') && e.link.endsWith(`->${from}`),
  );
  const soleMessage = (carried.size === 0 || (carried.size === 1 && carried.has(messageId))) && reachedSender;
  const records = soleMessage ? [...mine, ...untied].sort((a, b) => a.seq - b.seq) : mine;

  const real = sender.engine;
  const who = real ? `a real ${real}` : 'not driven by mailhop (external)';
  const notes: string[] = [`sender ${from} is ${who}: no sender sessions; judged from the receiver, the wire${real ? ` and ${real}'s log` : ''}`];
  if (!soleMessage && untied.length > 0 && reachedSender) {
    notes.push(`${untied.length} connection(s) on this link could not be tied to one message (content inside TLS, several messages)`);
  }
  const attributions = records.flatMap((r, i) => faultsOnRecord(r, i + 1));
  notes.push(...faultNotes(attributions).map((n) => n.replace(/^attempt /, 'connection ')));
  for (const f of facts) {
    if (f.fact === 'tls-failed' || f.fact === 'plaintext-fallback' || f.fact === 'deferred' || f.fact === 'bounced') notes.push(`${f.engine} log: ${f.fact}: ${short(f.detail ?? f.line)}`);
  }

  const relayedFact = facts.find((f) => f.fact === 'relayed');
  const receiverTls = accepted ? accepted.secure && !accepted.tls?.nullCipher : undefined;
  const clearOnWire = byClearId.has(messageId);
  const crossedInClear = clearOnWire || (accepted !== undefined && !receiverTls);
  const { policy } = sender;
  const leak = crossedInClear && (policy === 'mandatory' || policy === 'verify');
  if (leak) notes.push(`LEAK: content crossed in clear although ${real} was configured ${policy}`);

  const delivered = Boolean(accepted || relayedFact || clearOnWire);
  const deciding = accepted?.secure
    ? records.filter((r) => r.handshake === 'established' || r.implicitTls).at(-1)
    : (mine.at(-1) ?? records.at(-1));
  const witnesses: Witnesses = {};
  if (relayedFact) witnesses.sender = tlsOr(Boolean(relayedFact.tls));
  if (accepted) witnesses.receiver = tlsOr(Boolean(receiverTls));
  if (deciding && delivered) witnesses.wire = tlsOr((deciding.handshake === 'established' || deciding.implicitTls) && !deciding.plaintextMessageIds.includes(messageId));
  const seen = Object.entries(witnesses);
  let disagreement = new Set(seen.map(([, v]) => v)).size > 1 ? `witnesses disagree: ${seen.map(([k, v]) => `${k} saw ${v}`).join(', ')}` : undefined;
  if (accepted?.secure && clearOnWire) disagreement = `the receiver says TLS, but the wire saw message ${messageId} in clear`;
  // TLS interception (docs/behaviour.md#A-intercept): the engine's session ended at the fault, which opened its own to the receiver.
  const interceptor = attributions.find((a) => a.effect === 'tls-intercepted');
  if (interceptor) {
    const receiver = accepted?.tls ? `${accepted.tls.version} ${accepted.tls.cipher}` : 'none seen';
    const what = `the receiver saw a different TLS session from the sender's: ${interceptor.fault} on the link ended ${from}'s and opened its own to the receiver (${receiver}); the content was in clear in between`;
    disagreement = disagreement ? `${disagreement}; ${what}` : what;
  }

  let verdict: LinkVerdictName;
  if (delivered) {
    const tls = !crossedInClear && (receiverTls ?? Boolean(relayedFact?.tls));
    if (tls) verdict = 'tls';
    else {
      if (accepted?.tls?.nullCipher) notes.push(`eNULL cipher ${accepted.tls.cipher}: TLS framing without encryption`);
      // Downgraded only when STARTTLS was tried (on the wire, or by the engine's own log); an engine
      // that chose not to try it (policy none) sent `plain`.
      const tried = records.some((r) => r.starttlsSent || r.implicitTls) || facts.some((f) => f.fact === 'tls-failed' || f.fact === 'plaintext-fallback');
      if (!tried && records.some((r) => r.starttlsAdvertised)) notes.push(`STARTTLS offered by ${link.split('->')[1]}; not used by ${from}${policy ? ` (policy ${policy})` : ''}`);
      const stripper = policy !== 'none' ? attributions.find((a) => a.effect === 'tls-denied') : undefined;
      if (stripper) notes.push(`stripped: in clear because ${stripper.fault} on the link kept TLS from being used, not because of the servers`);
      verdict = stripper ? 'stripped' : tried ? 'downgraded' : 'plain';
    }
  } else if (records.length > 0 || facts.length > 0) {
    verdict = 'refused';
  } else {
    verdict = 'none';
  }
  const tlsSeen = verdict === 'tls' ? (accepted?.tls ?? relayedFact?.tls) : undefined;
  return {
    link,
    messageId,
    verdict,
    ...(tlsSeen ? { version: tlsSeen.version, cipher: tlsSeen.cipher } : {}),
    sessions: records.length,
    witnesses,
    ...(disagreement ? { disagreement } : {}),
    crossedInClear,
    leak,
    notes: verdict === 'none' ? [] : notes,
    ...(attributions.length > 0 ? { faults: attributions } : {}),
  };
}

