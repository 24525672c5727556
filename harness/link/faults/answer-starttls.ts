/**
 * The shared move of downgrade-454 and tamper-220 (docs/behaviour.md#A-454, docs/behaviour.md#A-tamper-220): the client's STARTTLS
 * never reaches the server, which gets a harmless NOOP instead and so stays in plaintext; the
 * server's 250 to that NOOP is replaced by the attacker's reply. Both real ends then talk
 * plaintext through the proxy. Answering in the NOOP's place keeps RFC 2920 order: a client that
 * pipelined commands before STARTTLS gets their replies first, then the attacker's.
 */
import type { LinkFaultSession } from '../link-fault.js';
import { isStarttls } from './fault-common.js';

/** A session answering every STARTTLS with `reply` itself. */
export function answerStarttlsSession(reply: string): LinkFaultSession {
  // One entry per NOOP the server will answer, in order: true for the ones the fault sent.
  const noops: boolean[] = [];
  return {
    command(line) {
      if (/^NOOP\b/i.test(line)) noops.push(false);
      if (!isStarttls(line)) return undefined;
      noops.push(true);
      return { forward: ['NOOP'], effect: 'tls-denied', note: `sent NOOP to the server instead of STARTTLS` };
    },
    reply(_lines, answering) {
      if (!/^NOOP\b/i.test(answering ?? '') || !noops.shift()) return undefined;
      return { forward: [reply], effect: 'tls-denied', note: `answered STARTTLS with "${reply}" in place of the server's reply to its NOOP` };
    },
  };
}
