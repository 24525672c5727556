/**
 * Types of mailhop's vitest matchers, and their augmentation of vitest's `Assertion` (through its
 * `Matchers` interface, which `Assertion<T>` extends; vitest's "extending matchers" guide).
 * Importing `mailhop/vitest` brings both the matchers and these types.
 */
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { StartedChain } from '../chain/chain.js';
import type { LinkVerdictName } from '../scenario/schema.js';
import type { Belief } from '../verdict/header-reconstruction.js';
import type { MessageSelection } from './message-selection.js';
import type { CopyClaim } from './to-have-copy-to.js';

/** A link name as reports spell it: `<sender>-><receiver>`, e.g. `gateway->mailbox` or `client->sendmail`. */
export type LinkName = `${string}->${string}`;

/**
 * What the matchers accept: a scenario report, or a started chain (the matcher waits for it to
 * settle, then judges it with `report()` and quotes its trace in failure messages), or either
 * narrowed to some messages with `forMessages(run, 'm2')`.
 */
export type MailhopRun = ScenarioReport | StartedChain | MessageSelection;

/** Arguments of a matcher: its own when `expect()` got a {@link MailhopRun}, else an impossible one. */
type ArgsFor<T, A extends unknown[]> = [T] extends [MailhopRun] ? A : [mailhopRunRequired: 'expect() needs a ScenarioReport or a StartedChain'];

/** Options of `toHoldTlsEndToEnd`. */
export interface HoldTlsOptions {
  /** Require `encrypted-verified` (every link `tls-verified`), not only `encrypted`. */
  verified?: boolean;
}

/**
 * mailhop's matchers. Each is async (`await expect(run).toX()`), holds for every message of the
 * run, and supports `.not`. Failure messages name the link and the attempt and quote the SMTP
 * transcript lines behind the verdict.
 */
export interface MailhopMatchers<T = unknown> {
  /** Every message was delivered with TLS on every link (end to end `encrypted` or `encrypted-verified`). */
  toHoldTlsEndToEnd(...options: ArgsFor<T, [options?: HoldTlsOptions]>): Promise<void>;
  /** Every message crossed `link` over TLS (`tls` or `tls-verified`). */
  toBeEncryptedOn(...link: ArgsFor<T, [link: LinkName]>): Promise<void>;
  /** Every message crossed `link` in plaintext although STARTTLS was tried: refused, failed handshake or eNULL (`downgraded`). */
  toDowngradeAt(...link: ArgsFor<T, [link: LinkName]>): Promise<void>;
  /**
   * Every message's verdict on `link` is exactly `verdict`: any of the seven link verdicts, e.g.
   * `plain` (the sender chose not to try STARTTLS), `stripped` (a link fault kept TLS from being used),
   * `refused` or `none`.
   */
  toHaveVerdict(...args: ArgsFor<T, [link: LinkName, verdict: LinkVerdictName]>): Promise<void>;
  /** Every message reached the final mailbox (outcome `delivered`). */
  toBeDelivered(...none: ArgsFor<T, []>): Promise<void>;
  /** No message was delivered, and none ever crossed a link in clear (end to end `held`). */
  toBeHeldNeverInClear(...none: ArgsFor<T, []>): Promise<void>;
  /** Every message is still queued at `hop` when the run ended (outcome `deferred`, held there). */
  toBeDeferredAt(...hop: ArgsFor<T, [hop: string]>): Promise<void>;
  /** `hop` gave every message up and sent a DSN to the envelope sender (outcome `bounced`). */
  toBeBouncedAt(...hop: ArgsFor<T, [hop: string]>): Promise<void>;
  /**
   * For every delivered message, a recipient reading the trusted Received headers would believe
   * `link` was `tls`, `plain`, or could not tell (`unknown`), whatever crossed the wire.
   */
  toBeBelievedOn(...args: ArgsFor<T, [link: LinkName, belief: Belief]>): Promise<void>;
  /**
   * Every message's copy to recipient domain `domain` (split off by a hop routing by MX) has the claimed outcome and
   * end-to-end verdict, e.g. `toHaveCopyTo('partner.test', { outcome: 'delivered', endToEnd: 'encrypted' })`.
   */
  toHaveCopyTo(...args: ArgsFor<T, [domain: string, claim: CopyClaim]>): Promise<void>;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends MailhopMatchers<T> {}
}
