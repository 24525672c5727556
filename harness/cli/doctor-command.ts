/**
 * `mailhop doctor [--json]`: which engines (real MTAs as hops) can run here, and why not.
 * Exit code 0 when every engine is usable, 1 otherwise. The checks live in engines/doctor.ts.
 */
import type { Command } from 'commander';
import { diagnoseEngines, type EngineDiagnosis } from '../engines/doctor.js';
import { diagnoseStsResolver, type StsResolverDiagnosis } from '../engines/sts-resolver.js';
import { REAL_ENGINES } from '../scenario/hop-kind.js';
import { escapeControls, escapeJsonControls } from '../report/terminal-safe.js';

/** Renders the diagnosis as a table; what the machine said (versions, paths, errors) with control characters escaped. */
export function renderDoctor(diagnoses: readonly EngineDiagnosis[]): string {
  const width = Math.max(...diagnoses.map((d) => d.engine.length));
  const lines = diagnoses.map((d) => {
    const head = `${d.usable ? '✔' : '✘'} ${d.engine.padEnd(width)}  `;
    const text = escapeControls(d.usable ? (d.found ?? 'usable') : d.reasons[0]);
    const more = d.usable ? [] : d.reasons.slice(1).map((r) => `${' '.repeat(head.length)}${escapeControls(r)}`);
    if (d.dns) more.push(`${' '.repeat(head.length)}DNS: ${d.dns}`);
    return [`${head}${text}`, ...more].join('\n');
  });
  const usable = diagnoses.filter((d) => d.usable).length;
  return `${lines.join('\n')}\n${usable} of ${diagnoses.length} engines usable\n`;
}

/** The MTA-STS policy resolver line: a real sender's MTA-STS, which the exit code does not count. */
export function renderStsResolver(d: StsResolverDiagnosis): string {
  return `MTA-STS for postfix: ${escapeControls(d.found ?? d.resolver)}: ${escapeControls(d.why)}\n`;
}

/** Runs the doctor; resolves to the exit code. */
export function doctorCommand(opts: { json?: boolean }, out: { write(s: string): unknown } = process.stdout): number {
  const diagnoses = diagnoseEngines();
  const mtaSts = diagnoseStsResolver();
  out.write(opts.json ? `${escapeJsonControls(JSON.stringify({ engines: diagnoses, mtaSts }, null, 2))}\n` : `${renderDoctor(diagnoses)}${renderStsResolver(mtaSts)}`);
  return diagnoses.every((d) => d.usable) ? 0 : 1;
}

/** Adds `doctor` to the program; `setExit` receives its exit code. */
export function registerDoctorCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description(`report which engines (real MTAs as hops: ${[...REAL_ENGINES, 'external'].join(', ')}) can run here, and why not`)
    .option('--json', 'print { engines: [...] } instead of a table')
    .action((opts: { json?: boolean }) => setExit(doctorCommand(opts)));
}
