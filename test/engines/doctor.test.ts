// `mailhop doctor`: which engines can run here and why not (nothing is started; cheap checks only).
import { describe, expect, it } from 'vitest';
import { diagnoseEngines } from '../../harness/engines/doctor.js';
import { mtaPaths } from '../../harness/engines/mta-paths.js';
import { renderDoctor } from '../../harness/cli/doctor-command.js';

describe('mailhop doctor', () => {
  it('names every engine, and what is missing for those that cannot run', () => {
    const diagnoses = diagnoseEngines(mtaPaths('/nonexistent/mtas'));
    expect(diagnoses.map((d) => d.engine)).toEqual(['postfix', 'sendmail', 'exim', 'opensmtpd', 'external']);
    const exim = diagnoses.find((d) => d.engine === 'exim')!;
    expect(exim.usable).toBe(false);
    expect(exim.reasons).toContain('/nonexistent/mtas/exim/usr/sbin/exim4 missing (run `mailhop install-mtas` as root)');
    expect(diagnoses.find((d) => d.engine === 'external')!.usable).toBe(true);
  });

  it('prints one line per engine, then the reasons under it', () => {
    const text = renderDoctor([
      { engine: 'postfix', usable: true, reasons: [], found: 'Postfix 3.7.11' },
      { engine: 'exim', usable: false, reasons: ['user Debian-exim missing (x)', 'needs root: y'] },
    ]);
    expect(text).toBe(['✔ postfix  Postfix 3.7.11', '✘ exim     user Debian-exim missing (x)', '           needs root: y', '1 of 2 engines usable', ''].join('\n'));
  });
});
