/**
 * The chain's links as the web view shows them (`GET /api/links`, the `chain` server-sent event): where
 * to send to, each link's live verdict over every message so far, its on-path attackers, and the chain
 * diagram drawn by the HTML report's renderer (report/html-diagram.ts). A link that mail sent by hand came
 * in on carries no sender witness, so it shows how its receiver got that mail instead (hand-entry.ts).
 */
import type { LinkVerdictName, Scenario } from '../scenario/schema.js';
import type { TraceEvent } from '../trace/events.js';
import type { HopAddresses } from '../chain/chain.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import { attackersOn, type Attacker } from '../report/html-chain-cast.js';
import { renderChainDiagram, type ChainDiagram, type ReceivedByHand } from '../report/html-diagram.js';
import { linkWarning } from '../report/link-warning.js';
import type { HandEntry } from './hand-entry.js';

type Address = { host: string; port: number };

/** One hop: its addresses (send to its link proxy; its server bypasses the wire witness). */
export interface HopView {
  id: string;
  hostname: string;
  sendTo: Address;
  server: Address;
  /** What it answers to STARTTLS (`hops[].inbound.starttls`); absent for an external hop. */
  starttls?: string;
}

/** One link over every message so far. */
export interface LinkView {
  link: string;
  from: string;
  to: string;
  /** The link proxy of the receiving hop: where mail for this link is sent. */
  sendTo: Address;
  /** The least secure verdict of any message on it so far (`none` until one reached it). */
  verdict: LinkVerdictName;
  /** Mail sent by hand that came in on this link, counted by how its receiver got it. */
  received?: { tls: number; plain: number };
  version?: string;
  cipher?: string;
  /** SMTP sessions the sender opened on it. */
  attempts: number;
  /** Why the link is marked: disagreeing witnesses, link faults that acted, Received headers that misstate it. */
  warning?: string;
  notes: string[];
  /** On-path attackers (the scenario's link faults), each with whether it acted yet. */
  attackers: Attacker[];
}

/** `GET /api/links`: the chain and its links. */
export interface ChainView {
  scenario: string;
  file?: string;
  hops: HopView[];
  links: LinkView[];
}

/** The hops' addresses. */
export function hopViews(scenario: Scenario, hops: readonly HopAddresses[]): HopView[] {
  return hops.map((h, i) => {
    const hop = scenario.hops[i];
    return { id: h.id, hostname: h.hostname, sendTo: { ...h.proxy }, server: { ...h.server }, ...(hop.engine === 'external' ? {} : { starttls: hop.inbound.starttls }) };
  });
}

/** Per link, how mail sent by hand came in on it. */
function receivedCounts(entries: ReadonlyMap<string, HandEntry>): Map<string, { tls: number; plain: number }> {
  const out = new Map<string, { tls: number; plain: number }>();
  for (const e of entries.values()) {
    const counts = out.get(e.link) ?? { tls: 0, plain: 0 };
    counts[e.actual]++;
    out.set(e.link, counts);
  }
  return out;
}

/**
 * The links of `report` (its header accounts already put right for mail sent by hand) and the diagram.
 * A link carrying only mail sent by hand is drawn by what its receiver saw: in clear if any came in clear.
 */
export function linkViews(
  scenario: Scenario,
  hops: readonly HopAddresses[],
  report: ScenarioReport,
  events: readonly TraceEvent[],
  entries: ReadonlyMap<string, HandEntry>,
): { links: LinkView[]; diagram: ChainDiagram } {
  const counts = receivedCounts(entries);
  const drawn = new Map<string, ReceivedByHand>();
  const links = report.links.map((l, i): LinkView => {
    const received = counts.get(l.link);
    if (received && l.verdict === 'none') drawn.set(l.link, received.plain > 0 ? 'plain' : 'tls');
    const warning = linkWarning(report, events, l.link);
    return {
      link: l.link,
      from: l.from,
      to: l.to,
      sendTo: { ...hops[i].proxy },
      verdict: l.verdict,
      ...(received ? { received } : {}),
      ...(l.version ? { version: l.version, cipher: l.cipher } : {}),
      attempts: l.attempts,
      ...(warning ? { warning } : {}),
      notes: l.notes,
      attackers: attackersOn(l.link, events, scenario),
    };
  });
  return { links, diagram: renderChainDiagram({ report, events, scenario }, 'live-chain', drawn) };
}
