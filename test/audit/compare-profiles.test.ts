/** Comparing profiles: which differences count, and the order of the closest presets. */
import { describe, expect, it } from 'vitest';
import { closestPresets, profileDifferences, rowDifferences } from '../../harness/audit/compare-profiles.js';
import type { AuditRow } from '../../harness/audit/audit-row.js';

const row = (over: Partial<AuditRow> & Pick<AuditRow, 'case'>): AuditRow => ({
  link: 'target->next', outcomes: ['delivered'], verdicts: ['tls'], sessions: [1], wire: [], notes: [], ...over,
});

describe('comparing audit profiles', () => {
  it('compares outcome, verdict, sessions as 1 / 2 / 3+ (between messages that ended alike), and the class of the stopping reply; not texts', () => {
    expect(rowDifferences(row({ case: 'a', tls: 'TLSv1.3 X', reply: undefined }), row({ case: 'a', tls: 'TLSv1.2 Y' }))).toEqual([]);
    expect(rowDifferences(row({ case: 'a', sessions: [3] }), row({ case: 'a', sessions: [5] }))).toEqual([]);
    // Retries of a message still deferred fill the case's length, not a product's habit: only "tried" counts.
    expect(rowDifferences(row({ case: 'a', outcomes: ['deferred'], sessions: [2] }), row({ case: 'a', outcomes: ['deferred'], sessions: [9] }))).toEqual([]);
    expect(rowDifferences(row({ case: 'a', outcomes: ['deferred'], sessions: [0] }), row({ case: 'a', outcomes: ['deferred'], sessions: [1] }))).toEqual(['sessions: 0 ≠ 1+']);
    expect(rowDifferences(row({ case: 'a', verdicts: ['downgraded'], sessions: [2] }), row({ case: 'a', verdicts: ['downgraded'], sessions: [3] }))).toEqual(['sessions: 2 ≠ 3+']);
    expect(rowDifferences(row({ case: 'a', outcomes: ['bounced'], verdicts: ['refused'], reply: '554 5.7.0 no' }), row({ case: 'a', outcomes: ['deferred'], verdicts: ['refused'], reply: '450 4.7.0 no' }))).toEqual([
      'outcomes: bounced ≠ deferred',
      'reply class: 5xx ≠ 4xx',
    ]);
    expect(rowDifferences(row({ case: 'a', error: 'boom' }), row({ case: 'a' }))).toEqual(['error: boom ≠ none']);
    // Still held with no reply yet (OpenSMTPD's 300 s handshake timeout outlasts the case): undecided, not a 2xx.
    const held = row({ case: 'a', outcomes: ['deferred'], verdicts: ['refused'], sessions: [1] });
    expect(rowDifferences(held, { ...held, reply: '451 4.7.5 Connection timeout' })).toEqual([]);
    expect(rowDifferences(row({ case: 'a', outcomes: ['deferred'], verdicts: ['refused'], reply: '550 5.7.1 no' }), { ...held, reply: '451 4.7.5 later' })).toEqual(['reply class: 5xx ≠ 4xx']);
  });

  it('lists differing cases only, and orders presets by how many cases differ (ties keep their order)', () => {
    const measured = [row({ case: 'a' }), row({ case: 'b', verdicts: ['plain'] }), row({ case: 'c' })];
    const same = [row({ case: 'a' }), row({ case: 'b', verdicts: ['plain'] })];
    const off = [row({ case: 'a', verdicts: ['plain'] }), row({ case: 'b', verdicts: ['tls'] }), row({ case: 'c' })];
    expect(profileDifferences(measured, off)).toEqual([
      { case: 'a', how: ['verdicts: tls ≠ plain'] },
      { case: 'b', how: ['verdicts: plain ≠ tls'] },
    ]);
    expect(closestPresets(measured, [{ preset: 'off', profile: off }, { preset: 'same', profile: same }, { preset: 'also', profile: same }]).map((d) => [d.preset, d.differences.length])).toEqual([
      ['same', 0],
      ['also', 0],
      ['off', 2],
    ]);
  });
});
