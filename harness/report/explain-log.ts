/**
 * Plain-language sentences for a link whose sender records no SMTP sessions, for `mailhop explain`: a real
 * engine's own log lines (its account of how it sent the message: which TLS version and cipher, what it made of
 * the certificate, relayed or deferred), or, for an external server, the plain fact that only the receiver and
 * the wire can tell. Pure: the sender's witness and the verdict in, sentences out.
 */
import type { EngineEvent } from '../trace/events.js';
import type { MessageLinkVerdict, SenderStatement, SenderWitness } from '../verdict/sender-witness.js';

/** What one log fact says, before the line itself. */
function factWords(fact: EngineEvent, messageId: string): string {
  const detail = fact.detail ? ` (${fact.detail})` : '';
  switch (fact.fact) {
    case 'tls':
      return `TLS established${fact.tls ? ` (${fact.tls.version} with ${fact.tls.cipher})` : ''}`;
    case 'tls-failed':
      return `TLS failed${detail}`;
    case 'plaintext-fallback':
      return `went on without TLS${detail}`;
    case 'relayed':
      return `relayed ${messageId}${detail}`;
    case 'deferred':
      return `deferred ${messageId}${detail}`;
    case 'bounced':
      return `gave up on ${messageId}${detail}`;
    case 'dsn':
      return `queued a delivery status notification for ${messageId}${detail}`;
  }
}

/**
 * The story of `messageId` on a link a real engine or an external server sends on: one paragraph saying whose
 * account it is, then (an engine) one per line of its log about the message, quoted. The notes the verdict
 * weighed besides (link faults, what the receiver and the wire saw) close it.
 */
export function sessionlessStory(witness: SenderWitness, account: readonly SenderStatement[], verdict: MessageLinkVerdict): string[] {
  const from = witness.hop;
  // The verdict's first note says whose account is missing; the others are what it weighed.
  const weighed = verdict.notes.filter((n) => !n.startsWith(`sender ${from} is `) && !/^\S+ log: /.test(n));
  const weighedToo = weighed.length ? [`What the verdict also weighed: ${weighed.join('; ')}.`] : [];
  if (witness.kind !== 'engine') {
    return [`No sender's account: ${from} is an external server that mailhop does not drive, so what happened rests on the receiver and the wire.`, ...weighedToo];
  }
  const lines = account.flatMap((s) => (s.kind === 'log' ? [s.fact] : []));
  return [
    `${from} is a real ${witness.engine}, not a mailhop mock: it records no sessions for mailhop, so its own log tells how it sent ${verdict.messageId}${lines.length ? '' : ', and it logged nothing mailhop could tie to this message'}.`,
    ...lines.map((f) => `${from}'s log (${witness.engine}): ${factWords(f, verdict.messageId)}: "${f.line}"`),
    ...weighedToo,
  ];
}
