/**
 * What a real engine's log facts become in the trace: `accepted` on its inbound link (the receiver's
 * account), `delivered` when it is the final mailbox (with the stored copy's Received headers, which a
 * recipient reads), and on its outbound link an `engine` event per fact plus `deferred`/`bounced` in the
 * sender's words, the reply as the engine logged it (engine-replies.ts). A bounce of a message whose envelope
 * sender the log names (not the null sender) is handed to `onDsn` at once, as a mock hop's is
 * (chain/chain-records.ts): every engine then queues a DSN to that sender, and the log line that says so is
 * recorded when it comes (an `engine` event of fact `dsn`). Record first, judge later: this only emits.
 */
import type { Trace } from '../trace/trace.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { LogFact } from './engine-definition.js';
import { replyFromLog, type LoggedReply } from './engine-replies.js';
import type { MaildirMailbox, MaildirMessage } from './maildir-mailbox.js';
import { headerValues } from '../mta/received-header.js';

type Tls = { version: string; cipher: string };
type AcceptedFact = Extract<LogFact, { kind: 'accepted' }>;
type OutboundFact = Extract<LogFact, { kind: 'outbound' }>;
type DsnFact = Extract<LogFact, { kind: 'dsn' }>;

/** The DSN an engine sends for a bounce: for message `messageId`, to `to` (the envelope sender), saying `reply` (its bounce's). */
export interface EngineDsn {
  messageId: string;
  to: string;
  reply: LoggedReply;
}

/** The engine hop whose facts are told, and where they go. */
export interface EngineFactTarget {
  hopId: string;
  engine: RealEngineName;
  /** `<id>.mailhop.test`: the name it signs its Received headers with (`by ...`). */
  hostname: string;
  /** `prev->this` and `this->next` (null for the final mailbox). */
  inboundLink: string;
  outboundLink: string | null;
  trace: Trace;
  /** The chain's virtual clock reading, ms. */
  now: () => number;
  /** For a fact that names no message mailhop knows: the one message this engine holds, if exactly one. */
  guessMessage: () => string | undefined;
  /** Its Maildir when it is the final mailbox (known once it is prepared). */
  mailbox: () => MaildirMailbox | undefined;
  /** The final mailbox received a message. */
  onMailbox?: (message: MaildirMessage & { inbound: Tls | null }) => void;
  /** It bounced a message with a sender to notify (called right after the `bounced` event is recorded). */
  onDsn?: (dsn: EngineDsn) => void;
  /** It applies DANE (routes by MX with `dane: honor | require`): a certificate it verified, it verified by TLSA records (or, with MTA-STS too, by one of the two). */
  dane?: boolean;
  /** It applies MTA-STS (`mtaSts: honor`): a certificate it verified, it verified under an enforce policy (or, with DANE too, by one of the two). */
  mtaSts?: boolean;
}

/** What the handler remembers between facts. */
interface FactMemory {
  /** Per message: the TLS of its inbound session (for the mailbox). */
  inboundOf: Map<string, Tls | null>;
  /** Per message: its deferral count (the `attempt` of each `deferred` event). */
  deferrals: Map<string, number>;
  /** The engine's own message ids (`ref`) -> the mailhop id they were tied to. */
  refs: Map<string, string>;
}

/**
 * A handler that emits the trace events of each log fact of one engine hop, in the order they come.
 */
export function engineFactEvents(target: EngineFactTarget): (fact: LogFact) => void {
  const memory: FactMemory = { inboundOf: new Map(), deferrals: new Map(), refs: new Map() };
  return (fact) => {
    if (fact.kind === 'accepted') {
      memory.inboundOf.set(fact.messageId, fact.tls);
      emitAccepted(target, fact);
    } else if (fact.kind === 'dsn') {
      emitDsn(target, fact, memory);
    } else if (fact.local) {
      emitDelivered(target, memory);
    } else {
      emitOutbound(target, fact, memory);
    }
  };
}

/** The engine accepted a message on its inbound link: the receiver's account of that session. */
function emitAccepted(target: EngineFactTarget, fact: AcceptedFact): void {
  const nullCipher = Boolean(fact.tls && /NULL/i.test(fact.tls.cipher));
  target.trace.emit({
    kind: 'accepted', source: 'receiver', link: target.inboundLink, hop: target.hopId, messageId: fact.messageId,
    secure: Boolean(fact.tls), tls: fact.tls ? { ...fact.tls, nullCipher } : null, protocol: fact.tls ? 'ESMTPS' : 'ESMTP', remotePort: fact.remotePort,
  });
}

/** It delivered into its Maildir: each new file is `delivered`, with the Received headers the recipient reads in it. */
function emitDelivered(target: EngineFactTarget, memory: FactMemory): void {
  for (const m of target.mailbox()?.takeNew() ?? []) {
    const received = { headers: headerValues(m.raw, 'Received'), hopNames: [target.hostname] };
    target.trace.emit({ kind: 'delivered', source: 'receiver', link: target.inboundLink, hop: target.hopId, messageId: m.id, received });
    target.onMailbox?.({ ...m, inbound: memory.inboundOf.get(m.id) ?? null });
  }
}

/** The mailhop id a fact is about: its own, the one its `ref` was tied to, or the one message the engine holds. */
function messageOf(target: EngineFactTarget, fact: { messageId?: string; ref?: string }, memory: FactMemory): string | undefined {
  if (fact.messageId) return fact.messageId;
  const tied = fact.ref ? memory.refs.get(fact.ref) : undefined;
  if (tied) return tied;
  const signed = fact.ref ? signedBy(target, fact.ref) : undefined;
  if (signed && fact.ref) {
    memory.refs.set(fact.ref, signed);
    return signed;
  }
  const guessed = target.guessMessage();
  if (guessed && fact.ref) memory.refs.set(fact.ref, guessed);
  return guessed;
}

/**
 * The message the next hop accepted with this engine's own Received header naming `ref` as its id (`by
 * <hostname> ... id <ref>`): OpenSMTPD logs no Message-ID, but writes its message id there (observed with
 * OpenSMTPD 6.8.0p2: `by target.mailhop.test (OpenSMTPD) with ESMTP id f3aac87a`). Newest first; undefined
 * when no such header reached the next hop yet (a deferral, a failed attempt before any delivery).
 */
function signedBy(target: EngineFactTarget, ref: string): string | undefined {
  if (!target.outboundLink) return undefined;
  const by = new RegExp(`\\bby ${escapeRegExp(target.hostname)}\\b[^;]*\\bid ${escapeRegExp(ref)}\\b`, 'i');
  const events = target.trace.events();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'accepted' && e.link === target.outboundLink && e.messageId && e.received?.headers.some((h) => by.test(h))) return e.messageId;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A fact about the engine's outbound side: the `engine` event, then `deferred` or `bounced` for a message it names. */
function emitOutbound(target: EngineFactTarget, fact: OutboundFact, memory: FactMemory): void {
  const { trace, engine } = target;
  const hopEvent = { hop: target.hopId } as const;
  const link = target.outboundLink ?? target.inboundLink;
  const messageId = messageOf(target, fact, memory);
  const ids = messageId ? { messageId } : {};
  const detail = fact.reply ? { detail: fact.reply } : {};
  // With both, a `Verified` line does not say which verified it: the resolver's `secure` answer replaces Postfix's DANE
  // level for a domain with an enforce policy (observed with Postfix 3.7, docs/behaviour.md#B-mta-sts-postfix). Either
  // way a policy that would have refused the certificate verified it, so both are set.
  const by = { ...(target.dane ? { dane: true as const } : {}), ...(target.mtaSts ? { mtaSts: true as const } : {}) };
  const tls = fact.tls && fact.tls.verified ? { ...fact.tls, ...by } : fact.tls;
  trace.emit({ kind: 'engine', source: 'engine', link, ...hopEvent, engine, fact: fact.fact, ...ids, ...(tls ? { tls } : {}), ...detail, line: fact.line });
  if (!messageId) return;
  const logged = { serverReply: fact.serverReply, reason: fact.reply, line: fact.line };
  if (fact.fact === 'deferred') {
    const attempt = (memory.deferrals.get(messageId) ?? 0) + 1;
    memory.deferrals.set(messageId, attempt);
    // The engine retries on its own real-time schedule; the virtual clock does not move meanwhile.
    trace.emit({ kind: 'deferred', source: 'sender', link, ...hopEvent, messageId, attempt, nextAttemptAt: target.now(), reply: replyFromLog(logged, 451) });
  } else if (fact.fact === 'bounced') {
    const reply = replyFromLog(logged, 554);
    trace.emit({ kind: 'bounced', source: 'sender', link, ...hopEvent, messageId, reply, dsnTo: fact.sender ?? '' });
    // The null sender gets no DSN (RFC 5321 §4.5.5); an unknown one is not guessed.
    if (fact.sender) target.onDsn?.({ messageId, to: fact.sender, reply });
  }
}

/** Its log says it queued the DSN of a bounce: the `engine` event of fact `dsn`, the evidence beside the `bounced` one. */
function emitDsn(target: EngineFactTarget, fact: DsnFact, memory: FactMemory): void {
  // Not guessed: a DSN names the message it reports on (or its ref does), or it is none of the chain's.
  const messageId = fact.messageId ?? (fact.ref ? memory.refs.get(fact.ref) : undefined);
  target.trace.emit({
    kind: 'engine', source: 'engine', link: target.outboundLink ?? target.inboundLink, hop: target.hopId, engine: target.engine, fact: 'dsn',
    ...(messageId ? { messageId } : {}), detail: `DSN ${fact.dsnId} to <${fact.to}>`, line: fact.line,
  });
}
