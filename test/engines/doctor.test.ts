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

  it('says what DNS each engine hop sees: the run\'s server and trust-ad for postfix and exim, files for the others', () => {
    const dns = Object.fromEntries(diagnoseEngines(mtaPaths('/nonexistent/mtas')).map((d) => [d.engine, d.dns]));
    expect(dns.exim).toMatch(/^with route: mx, its resolv\.conf is 'nameserver 127\.53\.x\.y' \(the run's DNS, port 53\) and 'options trust-ad', which Exim 4\.96 needs/);
    expect(dns.postfix).toMatch(/Postfix 3\.7 sets RES_TRUSTAD itself/);
    expect(dns.sendmail).toBe('no DNS: names come from its hosts file only (route: mx is postfix and exim only)');
    expect(renderDoctor([{ engine: 'postfix', usable: true, reasons: [], found: 'Postfix 3.7.11', dns: 'words' }])).toBe(['✔ postfix  Postfix 3.7.11', '           DNS: words', '1 of 1 engines usable', ''].join('\n'));
  });

  it('prints one line per engine, then the reasons under it', () => {
    const text = renderDoctor([
      { engine: 'postfix', usable: true, reasons: [], found: 'Postfix 3.7.11' },
      { engine: 'exim', usable: false, reasons: ['user Debian-exim missing (x)', 'needs root: y'] },
    ]);
    expect(text).toBe(['✔ postfix  Postfix 3.7.11', '✘ exim     user Debian-exim missing (x)', '           needs root: y', '1 of 2 engines usable', ''].join('\n'));
  });
});
