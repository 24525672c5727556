/**
 * What happened to one message: its verdict on every link, its end-to-end verdict and its delivery
 * outcome, from an indexed trace (trace-index.ts). O(links + the message's own events).
 */
import type { EndToEndName, OutcomeName } from '../scenario/schema.js';
import type { BouncedEvent, DeferredEvent, SessionEvent } from '../trace/events.js';
import { endToEndVerdict } from './end-to-end.js';
import { judgeIndexedLink, leastSecure, type MessageLinkVerdict } from './link-verdict.js';
import { judgeRequireTls, submittedWithRequireTls } from './require-tls-verdict.js';
import type { TraceIndex } from './trace-index.js';
import { copyLinks, destinationReport, destinationsOf, splitEndToEnd, splitOutcome, type DestinationReport, type MxRoutes } from './destination-outcomes.js';

/** What happened to one message. */
export interface MessageReport {
  messageId: string;
  /** `mixed` only for a message split per destination whose copies' outcomes differ (see `destinations`). */
  outcome: OutcomeName | 'mixed';
  /** `mixed` only for a split message with a copy delivered over TLS and another held (destination-outcomes.ts). */
  endToEnd: EndToEndName | 'mixed';
  /** For a message not delivered: the hop holding it (or that bounced it) and the last reply. */
  stoppedAt?: { hop: string; reply: { code: number; enhanced?: string; text: string } };
  links: MessageLinkVerdict[];
  /** A message a hop routing by MX split per recipient domain: each copy's own outcome (destination-outcomes.ts). */
  destinations?: DestinationReport[];
}

/**
 * Judges one message on every link of the chain.
 * @param linkNames the chain's links in order (`client->first`, ...).
 * @param heldBy the hop still holding the message when the run stopped, if one does.
 */
export function judgeMessage(index: TraceIndex, linkNames: readonly string[], messageId: string, heldBy?: string, routes?: MxRoutes): MessageReport {
  const judged = linkNames.map((link) => judgeIndexedLink(index, link, messageId));
  const own = index.own(messageId);
  const destinations = routes ? destinationsOf(own, routes) : [];
  if (routes && destinations.length > 0) return splitMessage(index, messageId, linkNames, judged, routes, destinations, heldBy);
  const delivered = own.some((e) => e.kind === 'delivered');
  // RFC 8689: a message submitted with REQUIRETLS is held to its promise on every link (require-tls-verdict.ts).
  const requireTls = submittedWithRequireTls(index, messageId) ? judgeRequireTls(index, judged, delivered) : undefined;
  const links = requireTls?.links ?? judged;
  const bounce = own.find((e): e is BouncedEvent => e.kind === 'bounced');
  let outcome: OutcomeName = 'deferred';
  let stoppedAt: MessageReport['stoppedAt'];
  if (delivered) outcome = 'delivered';
  else if (own.some((e) => e.kind === 'app-sender') && !own.some((e) => e.kind === 'accepted')) {
    // Announced for the application under test, and never accepted by the first hop: it did not get in.
    outcome = 'rejected';
    stoppedAt = { hop: 'client', reply: { code: 0, text: 'the application under test did not submit it: the first hop accepted no message for it' } };
  } else if (bounce) {
    outcome = bounce.hop === 'client' ? 'rejected' : 'bounced';
    stoppedAt = { hop: bounce.hop, reply: bounce.reply };
  } else {
    const lastDefer = own.findLast((e): e is DeferredEvent => e.kind === 'deferred');
    const lastSession = own.findLast((e): e is SessionEvent => e.kind === 'session');
    const reply = lastDefer?.reply ?? lastSession?.reply ?? { code: 0, text: 'no attempt finished before the run ended' };
    stoppedAt = { hop: heldBy ?? lastDefer?.hop ?? 'unknown', reply };
  }
  return { messageId, outcome, endToEnd: requireTls?.endToEnd ?? endToEndVerdict(links, delivered), ...(stoppedAt ? { stoppedAt } : {}), links };
}

/**
 * A message routed by MX: each copy judged on its own path (destination-outcomes.ts); the message's outcome over its
 * copies (splitOutcome, `mixed` when they differ); on a link past the router that several copies crossed, the least
 * secure copy's verdict; the end-to-end verdict over its copies' (splitEndToEnd). A message submitted
 * with REQUIRETLS is held to its promise on every copy's links as on the message's (require-tls-verdict.ts).
 */
function splitMessage(
  index: TraceIndex,
  messageId: string,
  linkNames: readonly string[],
  judged: MessageLinkVerdict[],
  routes: MxRoutes,
  destinations: readonly string[],
  heldBy: string | undefined,
): MessageReport {
  const own = index.own(messageId);
  const judge = (link: string, destination?: string) => judgeIndexedLink(index, link, messageId, destination);
  const requireTls = submittedWithRequireTls(index, messageId);
  const endToEnd = (reached: MessageLinkVerdict[], delivered: boolean) => (requireTls ? judgeRequireTls(index, reached, delivered).endToEnd : endToEndVerdict(reached, delivered));
  const copies = destinations.map((d) => destinationReport(own, d, copyLinks(routes, d, judge, linkNames), routes, heldBy, endToEnd));
  const merged = judged.map((whole) => {
    const mine = copies.flatMap((c) => c.links.filter((l) => l.link === whole.link && l.verdict !== 'none'));
    if (mine.length === 0) return whole;
    const worst = leastSecure(mine.map((l) => l.verdict));
    return mine.find((l) => l.verdict === worst)!;
  });
  const outcome = splitOutcome(copies);
  const delivered = outcome === 'delivered';
  const links = requireTls ? judgeRequireTls(index, merged, delivered).links : merged;
  const stopped = copies.find((c) => c.stoppedAt && (c.outcome === outcome || outcome === 'mixed'))?.stoppedAt;
  return { messageId, outcome, endToEnd: splitEndToEnd(copies), ...(stopped ? { stoppedAt: stopped } : {}), links, destinations: copies };
}
