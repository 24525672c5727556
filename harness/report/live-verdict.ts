/**
 * Lines `mailhop up` prints while a chain runs: the hops' addresses, and per message, as it is
 * delivered (or given up, or left held), its verdict on every link. The verdicts are verdict/'s
 * (judgeIndexedLink, endToEndVerdict) on the trace so far, indexed as it is recorded (live-watch.ts),
 * so a line costs O(links + the message's events) however long the session. Mail sent by hand has no sender witness
 * on the link it came in on (the first, or a later hop's when sent there), so that link shows what
 * the receiving hop saw instead of a verdict, links before it are left out, and the end-to-end
 * verdict covers the links mailhop relayed.
 */
import pc from 'picocolors';
import { chainTopology, type Scenario } from '../scenario/schema.js';
import type { BouncedEvent, DeferredEvent } from '../trace/events.js';
import type { HopAddresses } from '../chain/chain.js';
import { judgeIndexedLink } from '../verdict/link-verdict.js';
import type { TraceIndex } from '../verdict/trace-index.js';
import { endToEndVerdict } from '../verdict/end-to-end.js';
import { mxRoutesOf } from '../verdict/destination-outcomes.js';
import { judgeMessage } from '../verdict/judge-message.js';
import { formatDuration } from '../scenario/duration.js';
import { LOCK_OF } from './html-parts.js';
import { escapeControls as t } from './terminal-safe.js';

const MARK = { closed: '🔒', open: '🔓', refused: '⛔', none: '–' } as const;

const hostPort = (a: { host: string; port: number }) => `${a.host}:${a.port}`;

/** The address block: per hop the proxy to send to and the server behind it, then how to send by hand. */
export function renderHopAddresses(scenario: Scenario, hops: readonly HopAddresses[], file?: string): string {
  const width = Math.max(...hops.map((h) => h.id.length));
  const lines = [`mailhop up: ${scenario.name}${file ? `  (${t(file)})` : ''}`];
  for (const [i, h] of hops.entries()) {
    lines.push(`  hop ${h.id.padEnd(width)}  send to ${hostPort(h.proxy).padEnd(15)}  server ${hostPort(h.server).padEnd(15)}  ${h.hostname}, ${scenario.hops[i].inbound ? `starttls ${scenario.hops[i].inbound!.starttls}` : 'external'}`);
  }
  const first = hops[0];
  const implicit = scenario.hops[0].inbound?.starttls === 'implicit';
  lines.push(
    '',
    `Send mail by hand to ${first.id} (it gives a message without an X-Mailhop-Id header one), e.g.:`,
    `  swaks --server ${first.proxy.host} --port ${first.proxy.port} --from alice@org.test --to bob@partner.test ${implicit ? '--tls-on-connect' : '--tls-optional'}`,
    `  openssl s_client ${implicit ? '' : '-starttls smtp '}-connect ${hostPort(first.proxy)} -crlf -quiet`,
    '"send to" is the link proxy that witnesses the wire; a server address bypasses it.',
    'Verdicts appear below as messages are delivered. Ctrl-C stops the chain.',
  );
  return lines.join('\n');
}

/**
 * A retry was scheduled: `m2 deferred at relay (attempt 1): 450 4.7.4 …; next attempt at +5m`. Here and below, texts
 * from the trace (a peer's reply, a TLS suite) are printed with their control characters escaped (terminal-safe.ts).
 */
export function renderDeferred(event: DeferredEvent): string {
  return pc.dim(`${t(event.messageId)} deferred at ${t(event.hop)} (attempt ${event.attempt}): ${t(event.reply.text)}; next attempt at +${formatDuration(event.nextAttemptAt)} (virtual time)`);
}

/** The message's line: outcome, then every link, then end to end, from the trace indexed so far. */
export function renderLiveVerdict(scenario: Scenario, index: TraceIndex, messageId: string, held?: { hop: string }): string {
  const links = chainTopology(scenario.hops, scenario.dns).links.map(({ name }) => judgeIndexedLink(index, name, messageId));
  const own = index.own(messageId);
  const delivered = own.some((e) => e.kind === 'delivered');
  const bounce = own.find((e): e is BouncedEvent => e.kind === 'bounced');
  const outcome = delivered ? pc.green('delivered') : bounce ? pc.red(`bounced at ${t(bounce.hop)} (${t(bounce.reply.text)})`) : pc.yellow(`held at ${t(held?.hop ?? '?')}`);
  // Mail sent by hand enters where it was sent: the first link the message was accepted on with no
  // sender witness (usually the first; a later one when sent to a later hop's address). Links before
  // it never carried the message and are left out.
  const acceptedOn = (link: string) => index.accepted(link, messageId)[0];
  const entry = links.findIndex((l) => l.sessions === 0 && acceptedOn(l.link));
  const byHand = entry >= 0;
  const shown = byHand ? links.slice(entry) : links;
  const firstHop = byHand ? links[entry].link.split('->')[1] : scenario.hops[0].id;
  const parts = shown.map((l, i) => {
    if (i === 0 && byHand) {
      const tls = acceptedOn(l.link)?.tls;
      return `${l.link}: ${firstHop} received it ${tls ? `over TLS (${t(`${tls.version} ${tls.cipher}`)})` : 'in plaintext'}`;
    }
    return `${l.link} ${MARK[LOCK_OF[l.verdict]]} ${l.verdict}${l.disagreement ? ' ⚠' : ''}`;
  });
  const judged = byHand ? shown.slice(1) : shown;
  const from = `end to end${byHand ? ` from ${firstHop} on` : ''}`;
  const routes = mxRoutesOf(scenario);
  const copies = routes ? judgeMessage(index, links.map((l) => l.link), messageId, held?.hop, routes).destinations : undefined;
  if (routes && copies?.length) {
    // Split per destination (RFC 5321 §5.1): the shared links once, then each copy with its own links past the router.
    const shared = parts.filter((_, i) => !shown[i].link.startsWith(`${routes.router}->`));
    const copyParts = copies.map((c) => {
      const mine = c.links.filter((l) => l.link.startsWith(`${routes.router}->`) && l.verdict !== 'none');
      const how = c.outcome === 'delivered' ? pc.green('delivered') : c.outcome === 'bounced' ? pc.red(`bounced at ${t(c.stoppedAt!.hop)} (${t(c.stoppedAt!.reply.text)})`) : pc.yellow(`held at ${t(c.stoppedAt?.hop ?? '?')}`);
      const crossed = mine.map((l) => `${l.link} ${MARK[LOCK_OF[l.verdict]]} ${l.verdict}${l.disagreement ? ' ⚠' : ''}`);
      return `→ ${t(c.destination)} ${how}${crossed.length ? `: ${crossed.join(', ')}` : ''}, ${from}: ${c.endToEnd}`;
    });
    const head = copies.every((c) => c.outcome === copies[0].outcome) ? outcome : pc.yellow('mixed');
    return [`${pc.bold(t(messageId))} ${head}`, ...shared, ...copyParts].join(' · ');
  }
  const e2e = judged.length ? `${from}: ${endToEndVerdict(judged, delivered)}` : '';
  return [`${pc.bold(t(messageId))} ${outcome}`, ...parts, e2e].filter(Boolean).join(' · ');
}
