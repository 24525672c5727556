/**
 * Why a link deserves a warning mark in a report: the witnesses disagree, a link fault acted on its
 * wire, or the Received headers misstate it. Wording only: every fact comes from the report and the
 * trace it was judged from.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent, WireEvent } from '../trace/events.js';

const CROSSED = { tls: 'was encrypted', plain: 'crossed in clear', none: 'never crossed' } as const;

/**
 * Why `link` gets a warning mark, or undefined: disagreeing witnesses, faults on its wire records, Received
 * headers that claim TLS (or plaintext) where the wire saw the opposite. A header walk that stopped above the
 * link (`believed: unknown`) is not a mark: the headers section says so.
 */
export function linkWarning(report: ScenarioReport, events: readonly TraceEvent[], link: string): string | undefined {
  const reasons: string[] = [];
  const l = report.links.find((x) => x.link === link);
  if (l?.disagreement) reasons.push(l.disagreement);
  const faults = events
    .filter((e): e is WireEvent => e.kind === 'wire' && e.link === link)
    .flatMap((e) => e.record.faults.map((f) => (f.action === f.fault ? f.fault : `${f.fault} (${f.action})`)));
  if (faults.length) reasons.push(`link faults acted: ${[...new Set(faults)].join(', ')}`);
  const misstated = new Map<string, string[]>();
  for (const h of report.headers ?? []) {
    if (h.link !== link || h.agrees || h.believed === 'unknown') continue;
    const said = `say ${h.believed === 'tls' ? 'TLS' : 'plaintext'}, but the content ${CROSSED[h.actual]}`;
    misstated.set(said, [...(misstated.get(said) ?? []), h.messageId]);
  }
  for (const [said, ids] of misstated) reasons.push(`the Received headers of ${ids.join(', ')} ${said}`);
  return reasons.length ? reasons.join('; ') : undefined;
}
