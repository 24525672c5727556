/**
 * `messages[].expect.dsn` checked against the DSNs of the run: the enhanced status code of the reply the message was
 * returned with (RFC 3463; RFC 8689 §5: `5.7.30` REQUIRETLS not supported, `5.7.10` TLS or certificate failure), and
 * whether only its header section came back (RFC 8689 §5, a REQUIRETLS message's DSN). Pure.
 */
import type { Scenario } from '../scenario/schema.js';

import type { Expectation } from './expectation.js';


/** A DSN as the judge sees it; `requireTls` is present on the DSN of a REQUIRETLS message. */
export interface JudgedDsn {
  messageId: string;
  reply: { code: number; enhanced?: string; text: string };
  requireTls?: { returned: string };
}

/** One expectation per claimed `dsn` key of each message (`m<n>` is the scenario's n-th message). */
export function dsnExpectations(scenario: Scenario, dsns: readonly JudgedDsn[]): Expectation[] {
  const out: Expectation[] = [];
  scenario.messages.forEach((message, i) => {
    const claim = message.expect?.dsn;
    if (!claim) return;
    const messageId = `m${i + 1}`;
    const dsn = dsns.find((d) => d.messageId === messageId);
    if (claim.status !== undefined) {
      const actual = dsn ? (dsn.reply.enhanced ?? `${dsn.reply.code} without an enhanced status code`) : 'no DSN';
      out.push({ key: 'dsn.status', messageId, expected: claim.status, actual, held: actual === claim.status });
    }
    if (claim.redacted !== undefined) {
      const actual = dsn ? String(dsn.requireTls?.returned === 'headers') : 'no DSN';
      out.push({ key: 'dsn.redacted', messageId, expected: String(claim.redacted), actual, held: actual === String(claim.redacted) });
    }
  });
  return out;
}
