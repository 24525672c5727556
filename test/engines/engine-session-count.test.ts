/**
 * The HTML report's header counts the SMTP sessions of the whole run: every sender's, a real engine's too (the
 * connections the wire saw, as its row in the link table counts them), so the header and the table agree.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/load-scenario.js';
import { renderHtml } from '../../harness/report/html-report.js';
import { runRecords } from '../support/chain.js';
import { availability, titled } from '../support/engine.js';

const missing = (['sendmail', 'postfix'] as const).find((engine) => !availability(engine).usable);

describe.skipIf(missing !== undefined)(titled('the HTML header of scenarios/real/sendmail-messagelabs-postfix-encrypted.yaml', missing ?? 'sendmail'), () => {
  it("counts 3 SMTP sessions, as its link table does (one on each link, Sendmail's included)", async () => {
    const [run] = await runRecords(await loadScenarios(['scenarios/real/sendmail-messagelabs-postfix-encrypted.yaml']));
    expect(run.report.links.map((l) => [l.link, l.attempts])).toEqual([['client->sendmail', 1], ['sendmail->gateway', 1], ['gateway->mailbox', 1]]);
    expect(run.report.attempts).toBe(3);
    const html = renderHtml([run]);
    const rows = [...html.matchAll(/<tr data-link="[^"]*"><td class="mono">[^<]*<\/td>.*?<td>(\d+)<\/td><td>[^<]*<\/td><\/tr>/g)].map((m) => Number(m[1]));
    expect(rows).toEqual([1, 1, 1]);
    expect(html).toContain('· 3 SMTP sessions</p>');
  }, 60_000);
});
