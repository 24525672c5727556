/**
 * What `import ... from 'mailhop'` offers: named exports only (testcontainers' src/index.ts), so the package's
 * surface is what users need (README's API section, the vitest entry), not every schema mailhop validates with.
 */
import { describe, expect, it } from 'vitest';
import * as mailhop from '../../harness/index.js';

describe('the public API (harness/index.ts)', () => {
  it('exports these values by name, and nothing else', () => {
    expect(Object.keys(mailhop).sort()).toEqual([
      'DEFAULT_HOP_LIMITS', 'ERROR_CODES', 'HOST_DOMAIN', 'MailhopError', 'Scenario', 'ScenarioError', 'formatDuration',
      'loadScenarioFile', 'loadScenarioText', 'loadScenarios', 'parseDuration', 'probeEngine', 'renderJson', 'renderScenario', 'renderSummary',
      'runScenarios', 'skipReasonOf', 'startChain', 'startWebView',
    ]);
  });

  it('of the zod schemas, only the whole Scenario: a scenario is built or checked as a whole', () => {
    const schemas = Object.entries(mailhop).filter(([, v]) => typeof v === 'object' && v !== null && '_zod' in v).map(([k]) => k);
    expect(schemas).toEqual(['Scenario']);
    expect(mailhop.Scenario.parse({ name: 'in-code', hops: [{ id: 'mx' }], messages: [{ from: 'a@org.test', to: ['b@partner.test'] }] }).hops[0].inbound?.starttls).toBe('offer');
  });
});
