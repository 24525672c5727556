/**
 * Who is on a chain diagram besides the verdicts: what runs each hop (mailhop's mock, a real MTA, an
 * external server, or the injecting client) and which on-path attackers sit on each link (the link
 * faults of the scenario's `links:`, and any fault the wire recorded acting). Pure: read from the
 * scenario as written when the record carries it, otherwise from the trace (`hop-started` events,
 * wire records), so a run record without its scenario still draws what it can.
 */
import type { Scenario } from '../scenario/schema.js';
import type { HopStartedEvent, TraceEvent, WireEvent } from '../trace/events.js';
import { hopKind, isRealEngine, type RealEngineName, type SenderKind } from '../scenario/hop-kind.js';
import { presetLabel } from '../presets/index.js';

/** One hop box: its kind, and the small second line under its id. */
export interface HopFigure {
  /** What runs the hop, as drawn (`client` for the injecting client). */
  kind: SenderKind;
  /** For `engine`: which real MTA. */
  engine?: RealEngineName;
  /** `mailhop client`, `mock`, `mock · postfix` (its preset), `real Exim`, `external`. */
  label: string;
}

/** One on-path attacker (a link fault) on a link. */
export interface Attacker {
  /** The fault's name, e.g. `strip-starttls`. */
  fault: string;
  /** Whether the wire recorded it acting in this run (a fault limited to `attempts: [3]` may never act). */
  acted: boolean;
  /** Delivery attempts it was limited to (`attempts:`), when the scenario says. */
  attempts?: readonly number[];
}

const ENGINE_NAMES: Record<RealEngineName, string> = { postfix: 'Postfix', sendmail: 'Sendmail', exim: 'Exim', opensmtpd: 'OpenSMTPD' };

/** The figure of each hop of the chain `nodes` (`client` first), by hop id. */
export function hopFigures(nodes: readonly string[], events: readonly TraceEvent[], scenario?: Scenario): Map<string, HopFigure> {
  const started = new Map(events.filter((e): e is HopStartedEvent => e.kind === 'hop-started').map((e) => [e.hop, e] as const));
  const figures = new Map<string, HopFigure>();
  for (const id of nodes) {
    const hop = scenario?.hops.find((h) => h.id === id);
    const kind = hop ? hopKind(hop) : (started.get(id)?.hopKind ?? 'mock');
    const engine = hop ? (isRealEngine(hop.engine) ? hop.engine : undefined) : started.get(id)?.engine;
    if (id === 'client') figures.set(id, { kind: 'client', label: 'mailhop client' });
    else if (kind === 'engine' && engine) figures.set(id, { kind: 'engine', engine, label: `real ${ENGINE_NAMES[engine]}` });
    else if (kind === 'external') figures.set(id, { kind: 'external', label: 'external' });
    else figures.set(id, { kind: 'mock', label: hop?.preset ? `mock · ${presetLabel(hop.preset)}` : 'mock' });
  }
  return figures;
}

/**
 * The attackers on `link` (`from->to`): the scenario's faults on it in scenario order, then any other
 * fault its wire records name; each marked with whether it acted.
 */
export function attackersOn(link: string, events: readonly TraceEvent[], scenario?: Scenario): Attacker[] {
  const acted = new Set(events.filter((e): e is WireEvent => e.kind === 'wire' && e.link === link).flatMap((e) => e.record.faults.map((f) => f.fault)));
  const out: Attacker[] = [];
  for (const spec of scenario?.links ?? []) {
    if (`${spec.from}->${spec.to}` !== link || out.some((a) => a.fault === spec.fault)) continue;
    out.push({ fault: spec.fault, acted: acted.has(spec.fault), ...(spec.attempts ? { attempts: spec.attempts } : {}) });
  }
  for (const fault of acted) if (!out.some((a) => a.fault === fault)) out.push({ fault, acted: true });
  return out;
}

/** What an attacker mark says when pointed at. */
export function attackerTitle(link: string, attackers: readonly Attacker[]): string {
  const each = attackers.map((a) => {
    const limited = a.attempts ? ` (attempts ${a.attempts.join(', ')})` : '';
    return `${a.fault}${limited}: ${a.acted ? 'acted in this run' : 'did not act in this run'}`;
  });
  return `on-path attacker on ${link}: ${each.join('; ')}`;
}
