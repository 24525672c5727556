/**
 * `mailhop explain` as text: the run's explanation (explanation.ts) wrapped for a terminal. Pure:
 * scenario, report and trace in, text out; every verdict quoted is the report's.
 */
import type { Scenario } from '../scenario/schema.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { TraceEvent } from '../trace/events.js';
import { explainRun } from './explanation.js';
import { escapeControls } from './terminal-safe.js';

/** Wraps text at `width` columns, every line starting with `indent`. */
export function wrap(text: string, indent = '', width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

/**
 * The whole explanation of one run, wrapped at `width` columns (Infinity: one line per paragraph). Each line is
 * printed with its control characters escaped (a peer's reply quoted in a sentence: terminal-safe.ts).
 */
export function renderExplanation(scenario: Scenario, report: ScenarioReport, events: readonly TraceEvent[], width = 100): string {
  const x = explainRun(scenario, report, events);
  const out = [`${x.name}${x.file ? `  (${x.file})` : ''}`, ''];
  if (x.description) out.push(...wrap(x.description, '', width), '');
  out.push(...wrap(x.chain, '', width));
  for (const m of x.messages) {
    out.push('', m.heading);
    for (const l of m.links) {
      out.push(`  ${l.heading}: ${l.verdict}`);
      for (const p of l.paragraphs) out.push(...wrap(p.text, '    ', width));
    }
    out.push(...wrap(m.endToEnd, '  ', width));
  }
  if (x.messages.length === 0) out.push('', 'No message went through the chain.');
  if (x.claimsHeading) out.push('', x.claimsHeading);
  for (const c of x.claims) out.push(`  ${c.held ? '✔' : '✘'} ${c.text}`);
  return `${out.map(escapeControls).join('\n')}\n`;
}
