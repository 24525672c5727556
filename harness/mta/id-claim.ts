/**
 * How a hop under `mailhop up` settles the id of a message it accepts. The message may claim an id
 * (`X-Mailhop-Id`, with the chain's `X-Mailhop-Seal` token); the hop does not judge the claim itself but
 * tells whoever issues ids (the chain, or a compose hop's own stamp) what it saw: the claim and the
 * session's peer. The answer keeps the id, or gives a fresh one: then the message's own headers are kept
 * under `X-Mailhop-Original-*` names and the fresh id and its seal are prepended, so two messages never
 * share an id.
 */
import { headerValue } from './received-header.js';

/** One end of a TCP connection. */
export interface PeerEnd {
  host: string;
  port: number;
}

/** What a hop knows about a message's id when its DATA ends (RFC 5321 §4.1.1.4). */
export interface IdClaim {
  /** The first `X-Mailhop-Id` of the header section, if any. */
  id?: string;
  /** The first `X-Mailhop-Seal`, if any. */
  seal?: string;
  /**
   * The message's `Message-ID` (RFC 5322 §3.6.4), angle brackets included, if it has one: how mail sent by hand to a
   * real engine as the first hop is told apart when it comes out of the engine (delivery-ids.ts `adopt`).
   */
  messageId?: string;
  /**
   * Where the session came from: the server's remote end, or behind a front the front's client (the link
   * proxy's upstream socket when the mail came through the link); undefined when the front no longer knows.
   */
  peer?: PeerEnd;
}

/** The answer: the claimed id is believed, or the message gets `id` (and `seal`) instead. */
export type IdDecision = { believed: true; id: string } | { believed: false; id: string; seal?: string };

/** Decides a claim: synchronously in process, or after a round trip (a hop in a container asks its chain). */
export type AssignId = (claim: IdClaim) => IdDecision | Promise<IdDecision>;

/** The header that carries a message's id. */
export const ID_HEADER = 'X-Mailhop-Id';
/** The header that carries the id's token (id-seal.ts). */
export const SEAL_HEADER = 'X-Mailhop-Seal';

/** The claim a message makes, as its header section says. */
export function claimOf(body: Buffer, peer: PeerEnd | undefined): IdClaim {
  const id = headerValue(body, ID_HEADER);
  const seal = headerValue(body, SEAL_HEADER);
  const messageId = headerValue(body, 'Message-ID');
  return { ...(id ? { id } : {}), ...(seal ? { seal } : {}), ...(messageId ? { messageId } : {}), ...(peer ? { peer } : {}) };
}

/**
 * The message as the hop keeps it: unchanged when its id is believed; else with its own id and seal
 * headers renamed `X-Mailhop-Original-Id` / `X-Mailhop-Original-Seal` (every other byte as it was) and
 * the fresh ones prepended.
 */
export function applyIdDecision(body: Buffer, decision: IdDecision): Buffer {
  if (decision.believed) return body;
  const text = body.toString('latin1'); // byte-preserving both ways
  const end = text.search(/\r?\n\r?\n/);
  const head = (end >= 0 ? text.slice(0, end) : text).replace(/^X-Mailhop-(Id|Seal):/gim, 'X-Mailhop-Original-$1:');
  const stamp = `${ID_HEADER}: ${decision.id}\r\n${decision.seal ? `${SEAL_HEADER}: ${decision.seal}\r\n` : ''}`;
  return Buffer.from(stamp + head + text.slice(end >= 0 ? end : text.length), 'latin1');
}
