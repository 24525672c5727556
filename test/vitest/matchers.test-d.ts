import { describe, expect, expectTypeOf, test } from 'vitest';
import { chainTest, forMessages, type LinkName, type MailhopRun } from '../../harness/vitest/index.js';
import type { ScenarioReport, StartedChain } from '../../harness/index.js';

declare const chain: StartedChain;
declare const report: ScenarioReport;

describe('mailhop matchers on vitest’s Assertion', () => {
  test('are async, on a chain and on a report, negated too', () => {
    expectTypeOf(expect(chain).toHoldTlsEndToEnd()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(chain).toHoldTlsEndToEnd({ verified: true })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(report).toBeEncryptedOn('gateway->mailbox')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(chain).not.toDowngradeAt('gateway->mailbox')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(report).toBeDelivered()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(chain).not.toBeHeldNeverInClear()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(chain).toHaveVerdict('gateway->mailbox', 'plain')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(report).not.toHaveVerdict('gateway->mailbox', 'stripped')).toEqualTypeOf<Promise<void>>();
  });

  test('outcome, belief and per-message matchers', () => {
    expectTypeOf(expect(chain).toBeDeferredAt('relay')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(report).not.toBeBouncedAt('relay')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(chain).toBeBelievedOn('relay->mailbox', 'unknown')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(forMessages(chain, 'm2')).toHaveVerdict('relay->mailbox', 'tls')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(forMessages(report, 'm1')).toExtend<MailhopRun>();
    // @ts-expect-error a belief is tls, plain or unknown
    void expect(chain).toBeBelievedOn('relay->mailbox', 'encrypted');
    // @ts-expect-error the hop is required
    void expect(chain).toBeDeferredAt();
    // @ts-expect-error forMessages takes a run, not a scenario path
    void forMessages('scenarios/x.yaml', 'm1');
  });

  test('toHaveVerdict takes one of the seven link verdicts', () => {
    // @ts-expect-error 'clear' is not a link verdict
    void expect(chain).toHaveVerdict('gateway->mailbox', 'clear');
    // @ts-expect-error the verdict is required
    void expect(chain).toHaveVerdict('gateway->mailbox');
    // @ts-expect-error a hop id is not a link name
    void expect(chain).toHaveVerdict('gateway', 'plain');
  });

  test('take a link name of the form from->to', () => {
    expectTypeOf<'gateway->mailbox'>().toExtend<LinkName>();
    expectTypeOf<'gateway'>().not.toExtend<LinkName>();
    // @ts-expect-error a hop id is not a link name
    void expect(chain).toBeEncryptedOn('gateway');
    // @ts-expect-error the link is required
    void expect(chain).toDowngradeAt();
    // @ts-expect-error toBeDelivered takes no argument
    void expect(chain).toBeDelivered('gateway->mailbox');
  });

  test('are only open to a ScenarioReport or a StartedChain', () => {
    expectTypeOf<StartedChain>().toExtend<MailhopRun>();
    expectTypeOf<ScenarioReport>().toExtend<MailhopRun>();
    // @ts-expect-error a number is not a run
    void expect(42).toBeDelivered();
    // @ts-expect-error nor is a string
    void expect('scenarios/x.yaml').toHoldTlsEndToEnd();
  });
});

describe('chainTest', () => {
  test('gives tests a StartedChain and the scenario source', () => {
    const t = chainTest('scenarios/all-hops-offer-encrypted.yaml');
    t('x', ({ chain: c, scenario }) => {
      expectTypeOf(c).toEqualTypeOf<StartedChain>();
      expectTypeOf(c.run).returns.resolves.toEqualTypeOf<ScenarioReport>();
      expectTypeOf(scenario).toExtend<string | object>();
    });
    // @ts-expect-error a scenario is a path or a scenario object
    chainTest(42);
  });
});
