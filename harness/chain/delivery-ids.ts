/**
 * The ids of one chain: issued in order (`m1`, `m2`, ...), and, under `mailhop up`, which `X-Mailhop-Id` a
 * hop may believe. An id is a claim about an outcome ("this is m1, and it arrived here"), so it is believed
 * only when it is bound to the delivery that carries it, never on the header's word (issue 10, item 2):
 *
 * - The sender of the link is mailhop (the injecting client or a mock hop): the id is believed only on the
 *   connection that sender opened for that message. The sender announces each connection (its local address
 *   and port, and the message) as it opens and until its session ends; the hop asks the link proxy which
 *   client its session came through (by the proxy's upstream end, which is the hop's view of its peer). A
 *   header copied from anywhere, a plaintext link included, sent on any other connection, to the proxy or
 *   to the hop's own address, gets a fresh id.
 * - The sender is a real engine or an external gateway: its connections are not announced (mailhop does not
 *   drive them), so no connection binding is possible. The id is believed only with this chain's seal
 *   (id-seal.ts: an HMAC no SMTP peer can compute), through the link's proxy, and once per hop: a replay
 *   after the real delivery, or a second copy, gets a fresh id. What remains is a race: someone who reads a
 *   plaintext link and reaches the next hop before the engine relays the message can still claim it (that
 *   delivery then gets a fresh id instead).
 * - Mail sent by hand to a real engine as the first hop: no mailhop header is in it, and the engine's queue is
 *   not mailhop's, so the id is issued when the engine logs accepting the message ({@link DeliveryIds.adopt}, by
 *   its Message-ID), and the hop after the engine gives it that id, once, when the message comes out with the same
 *   Message-ID and without an id of its own. The same race applies (the Message-ID is readable where the seal is).
 */
import { sameHost } from '../link/link-proxy.js';
import type { AssignId, IdClaim, IdDecision, PeerEnd } from '../mta/id-claim.js';
import { IdSeal } from './id-seal.js';

/**
 * How the deliveries of one link are bound to their ids: `announced` when mailhop's own sender (the client, a
 * mock hop) announces its connections; `sealed` when nobody does (a real engine or an external gateway sends,
 * or hops run on their own as in `mailhop compose`); `none` when no mailhop sender ever delivers on the link
 * (the first hop of a compose chain: only people send there), so every claim gets a fresh id.
 */
export type IdBinding = 'announced' | 'sealed' | 'none';

/** What {@link DeliveryIds} needs from the chain. */
export interface DeliveryIdsOptions {
  /** Per link (index of the receiving hop): how its deliveries are bound. */
  binding: readonly IdBinding[];
  /**
   * The client end of link `link`'s proxy connection whose upstream end is `upstream`, or undefined when the
   * proxy has no such open connection (the session did not come through the link). May answer later (a
   * proxy in a container answers over its socket). Where no proxy can be asked (compose), the peer itself.
   */
  clientOf(link: number, upstream: PeerEnd): PeerEnd | undefined | Promise<PeerEnd | undefined>;
  /** Ids are `<prefix><n>` from 1 (default `m`). */
  prefix?: string;
  /** The seal's key (default 32 random bytes made here): hops that check each other's seals share one. */
  sealKey?: Buffer;
}

/** A connection a mailhop sender has open on a link, by its local port. */
interface Sending {
  host: string;
  messageId: string;
}

/**
 * One chain's ids and the rules above, per link.
 * @example
 *   const ids = new DeliveryIds({ binding: ['announced', 'sealed'], clientOf: (link, upstream) => proxies[link].clientOf(upstream) });
 *   ids.connected(0, { host: '127.0.0.1', port: 40001 }, 'm1'); // the client opened its connection for m1
 *   hopServer({ assignId: ids.assignIdFor(0) });                 // m1 is believed only from that connection
 */
export class DeliveryIds {
  #issued = 0;
  readonly #seal: IdSeal;
  readonly #options: DeliveryIdsOptions;
  /** Per link: the connections mailhop's senders have open, by local port. */
  readonly #sending: Array<Map<number, Sending>>;
  /** Per `sealed` link: the ids already believed there. */
  readonly #believed: Array<Set<string>>;
  /** Per `sealed` link: mail sent by hand into the engine before it, by Message-ID (no angle brackets): the id it was given. */
  readonly #adopted: Array<Map<string, string>>;
  /** Ids a test announced for mail the application under test is about to submit (link 0), oldest first. */
  readonly #announced: string[] = [];

  constructor(options: DeliveryIdsOptions) {
    this.#options = options;
    this.#seal = new IdSeal(options.sealKey);
    this.#sending = options.binding.map(() => new Map());
    this.#believed = options.binding.map(() => new Set());
    this.#adopted = options.binding.map(() => new Map());
  }

  /** The next id, `m<n>` from 1 (or the prefix given). */
  issue(): string {
    return `${this.#options.prefix ?? 'm'}${++this.#issued}`;
  }

  /** The `X-Mailhop-Seal` value of an id this chain issued. */
  sealOf(id: string): string {
    return this.#seal.seal(id);
  }

  /**
   * A test announces mail the application under test will submit on the first link (`submit: { sender: app }`):
   * the id is issued now, and the first message the first hop accepts without a believed id of its own takes it
   * (oldest announcement first), so an application that adds no header is still tied to the id; one that sends
   * the id with its seal (`X-Mailhop-Id`, `X-Mailhop-Seal`) is believed at once, once.
   * @returns the id, `m<n>`.
   */
  announce(): string {
    const id = this.issue();
    this.#announced.push(id);
    return id;
  }

  /**
   * A real engine, the first hop, logged accepting mail sent by hand (`messageIdHeader`, its Message-ID, is none of
   * this chain's): the message gets the next id now, and the hop behind `link` (the engine's outbound link, a
   * `sealed` one) gives it the same id when it arrives with that Message-ID and no id of its own.
   * @returns the id, `m<n>`.
   */
  adopt(link: number, messageIdHeader: string): string {
    const id = this.#announced.shift() ?? this.issue();
    this.#adopted[link]?.set(bare(messageIdHeader), id);
    return id;
  }

  /** A mailhop sender opened a connection on `link` from `local` (its address and port) to deliver `messageId`. */
  connected(link: number, local: PeerEnd, messageId: string): void {
    this.#sending[link].set(local.port, { host: local.host, messageId });
  }

  /** That sender's session ended (its `session` event): the connection carries nothing any more. */
  ended(link: number, localPort: number, messageId: string): void {
    if (this.#sending[link].get(localPort)?.messageId === messageId) this.#sending[link].delete(localPort);
  }

  /** The `assignId` of the hop `link` leads to (hop-server.ts). */
  assignIdFor(link: number): AssignId {
    return (claim) => this.#decide(link, claim);
  }

  #decide(link: number, claim: IdClaim): IdDecision | Promise<IdDecision> {
    const { id, peer } = claim;
    const adopted = !id && claim.messageId !== undefined ? this.#adopted[link]?.get(bare(claim.messageId)) : undefined;
    if (adopted !== undefined) {
      this.#adopted[link].delete(bare(claim.messageId!));
      return { believed: false, id: adopted, seal: this.sealOf(adopted) };
    }
    if (!id || !peer) return this.#fresh(link);
    const client = this.#options.clientOf(link, peer);
    const judge = (end: PeerEnd | undefined): IdDecision => (end && this.#believes(link, id, claim.seal, end) ? this.#believed1(link, id) : this.#fresh(link));
    return client instanceof Promise ? client.then(judge) : judge(client);
  }

  /** `client` is the end the link proxy accepted the session's connection from. */
  #believes(link: number, id: string, seal: string | undefined, client: PeerEnd): boolean {
    if (this.#options.binding[link] === 'none') return false;
    if (this.#options.binding[link] === 'sealed') {
      if (!this.#seal.verifies(id, seal) || this.#believed[link].has(id)) return false;
      this.#believed[link].add(id);
      return true;
    }
    const sending = this.#sending[link].get(client.port);
    return sending !== undefined && sending.messageId === id && sameHost(sending.host, client.host);
  }

  /** A believed id on the first link no longer waits for the application's message. */
  #believed1(link: number, id: string): IdDecision {
    const waiting = link === 0 ? this.#announced.indexOf(id) : -1;
    if (waiting >= 0) this.#announced.splice(waiting, 1);
    return { believed: true, id };
  }

  /** A fresh id; on the first link, the oldest id announced for the application's mail, if one waits. */
  #fresh(link: number): IdDecision {
    const id = (link === 0 ? this.#announced.shift() : undefined) ?? this.issue();
    return { believed: false, id, seal: this.sealOf(id) };
  }
}

/** A Message-ID without its angle brackets (Exim logs it bare, Postfix and Sendmail in brackets). */
function bare(messageId: string): string {
  return messageId.trim().replace(/^<(.*)>$/, '$1');
}
