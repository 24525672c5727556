/**
 * What a real engine's log facts become in the trace: `accepted` on its inbound link (the receiver's
 * account), `delivered` when it is the final mailbox, and on its outbound link an `engine` event per
 * fact plus `deferred`/`bounced` in the sender's words. Record first, judge later: this only emits.
 */
import type { Trace } from '../trace/trace.js';
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { LogFact } from './engine-definition.js';
import { replyFromLog } from './engine-replies.js';
import type { MaildirMailbox, MaildirMessage } from './maildir-mailbox.js';

type Tls = { version: string; cipher: string };
type AcceptedFact = Extract<LogFact, { kind: 'accepted' }>;
type OutboundFact = Extract<LogFact, { kind: 'outbound' }>;

/** The engine hop whose facts are told, and where they go. */
export interface EngineFactTarget {
  hopId: string;
  engine: RealEngineName;
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
}

/**
 * A handler that emits the trace events of each log fact of one engine hop, in the order they come.
 * It keeps, per message, the TLS of its inbound session (for the mailbox) and its deferral count
 * (the `attempt` of each `deferred` event).
 */
export function engineFactEvents(target: EngineFactTarget): (fact: LogFact) => void {
  const inboundOf = new Map<string, Tls | null>();
  const deferrals = new Map<string, number>();
  return (fact) => {
    if (fact.kind === 'accepted') {
      inboundOf.set(fact.messageId, fact.tls);
      emitAccepted(target, fact);
    } else if (fact.local) {
      for (const m of target.mailbox()?.takeNew() ?? []) {
        target.trace.emit({ kind: 'delivered', source: 'receiver', link: target.inboundLink, hop: target.hopId, messageId: m.id });
        target.onMailbox?.({ ...m, inbound: inboundOf.get(m.id) ?? null });
      }
    } else {
      emitOutbound(target, fact, deferrals);
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

/** A fact about the engine's outbound side: the `engine` event, then `deferred` or `bounced` for a message it names. */
function emitOutbound(target: EngineFactTarget, fact: OutboundFact, deferrals: Map<string, number>): void {
  const { trace, engine } = target;
  const hopEvent = { hop: target.hopId } as const;
  const link = target.outboundLink ?? target.inboundLink;
  const messageId = fact.messageId ?? target.guessMessage();
  const ids = messageId ? { messageId } : {};
  const detail = fact.reply ? { detail: fact.reply } : {};
  trace.emit({ kind: 'engine', source: 'engine', link, ...hopEvent, engine, fact: fact.fact, ...ids, ...(fact.tls ? { tls: fact.tls } : {}), ...detail, line: fact.line });
  if (!messageId) return;
  if (fact.fact === 'deferred') {
    const attempt = (deferrals.get(messageId) ?? 0) + 1;
    deferrals.set(messageId, attempt);
    const reply = replyFromLog(fact.reply ?? '', fact.line, 451);
    // The engine retries on its own real-time schedule; the virtual clock does not move meanwhile.
    trace.emit({ kind: 'deferred', source: 'sender', link, ...hopEvent, messageId, attempt, nextAttemptAt: target.now(), reply });
  } else if (fact.fact === 'bounced') {
    trace.emit({ kind: 'bounced', source: 'sender', link, ...hopEvent, messageId, reply: replyFromLog(fact.reply ?? '', fact.line, 554), dsnTo: '' });
  }
}
