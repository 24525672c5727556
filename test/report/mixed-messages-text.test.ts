/**
 * A run whose messages fared differently reads `mixed` in its headline; the text report then gives each message's own
 * outcome and end-to-end verdict, with its stop under it. Before, only the messages that stopped had a line, so the
 * message delivered (m2, over TLS with its certificate failure waived by `TLS-Required: No`) was nowhere in the text.
 */
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { loadScenarioFile, startChain } from '../../harness/index.js';
import { renderScenario } from '../../harness/report/text-report.js';

describe('the text report of messages that fared differently', () => {
  test('REQUIRETLS beside TLS-Required: No: one line per message under the mixed headline', async () => {
    const { scenario, file } = await loadScenarioFile('scenarios/requiretls/requiretls-wins-over-tls-required-no.yaml');
    await using chain = await startChain(scenario, { file });
    const report = await chain.run();
    // What happened on the wire: m2 reached the mailbox, m1 and m3 did not.
    expect(chain.mailbox().map((m) => m.id)).toEqual(['m2']);
    const lines = stripVTControlCharacters(renderScenario(report)).split('\n');
    const from = lines.findIndex((l) => l.startsWith('    end to end:'));
    expect(lines.slice(from, from + 6)).toEqual([
      '    end to end: mixed · outcome: mixed',
      '    m1: bounced · held',
      '      stopped at relay: 550 5.7.10 REQUIRETLS: encryption needed: certificate-expired (CERT_HAS_EXPIRED)',
      '    m2: delivered · encrypted',
      '    m3: bounced · held',
      '      stopped at relay: 550 5.7.10 REQUIRETLS: encryption needed: certificate-expired (CERT_HAS_EXPIRED)',
    ]);
  });

  test('messages that fared alike keep the short form: only a stop is told', async () => {
    const { scenario, file } = await loadScenarioFile('scenarios/dns/dane-strip-starttls-held.yaml');
    await using chain = await startChain(scenario, { file });
    const text = stripVTControlCharacters(renderScenario(await chain.run()));
    expect(text).toContain('\n    end to end: held · outcome: deferred\n');
    expect(text).not.toMatch(/\n {4}m1: /);
  });
});
