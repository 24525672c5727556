import { afterEach, describe, expect, test as plain, vi } from 'vitest';
import { chainTest } from '../../harness/vitest/index.js';

// A machine without the real MTAs: chainTest skips the scenarios that need them, with the reason,
// as `mailhop run` does (never a failure, never a silent pass).
const seen: Array<{ name: string; state?: string; note?: string }> = [];

describe('chainTest on a machine without the scenario\'s real MTA', () => {
  const test = chainTest('scenarios/real/sendmail-messagelabs-postfix-encrypted.yaml');
  let bodyRan = false;

  afterEach(({ task }) => {
    seen.push({ name: task.name, state: task.result?.state, note: (task.result as { note?: string } | undefined)?.note });
  });

  test('is skipped before its body runs', async ({ chain }) => {
    bodyRan = true;
    await chain.run();
  });

  plain('the skip carries the reason, and the body never ran', () => {
    expect(bodyRan).toBe(false);
    expect(seen[0]).toEqual({
      name: 'is skipped before its body runs',
      state: 'skip',
      note: expect.stringMatching(/^sendmail-messagelabs-postfix-encrypted: needs sendmail: /),
    });
  });
});

// The real MTAs are found through MAILHOP_MTA_ROOT at the moment the chain fixture starts.
vi.stubEnv('MAILHOP_MTA_ROOT', '/nonexistent/mailhop-mtas');
