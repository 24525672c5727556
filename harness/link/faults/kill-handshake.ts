/**
 * kill-handshake (docs/behaviour.md#A-kill-handshake, "fallback bait"): lets STARTTLS and its 220 through, then
 * meets the client's ClientHello with `how`: `close` (FIN), `reset` (RST), `alert` (a fatal
 * `handshake_failure` alert record) or `garbage` (a plaintext line instead of a ServerHello).
 *
 * With `thenStrip: true` the attacker follows up: every later connection carrying a message whose
 * handshake it broke (the client's plaintext reconnect, or its next attempt) has STARTTLS stripped
 * from the EHLO reply, so even a client that retries with TLS (Sendmail's default) is led into
 * plaintext.
 */
import { z } from 'zod';
import type { LinkFault, TlsVerdict } from '../link-fault.js';
import { HANDSHAKE_FAILURE_ALERT } from '../tls-names.js';
import { announcedDelivery, attemptsKey, linkKeys, NOTHING, whenReady, type FaultEnv } from './fault-common.js';
import { withoutStarttls } from './strip-starttls.js';

export const KillHandshakeSpec = z.strictObject({
  ...linkKeys,
  fault: z.literal('kill-handshake'),
  ...attemptsKey,
  /** What the ClientHello gets. */
  how: z.enum(['close', 'reset', 'alert', 'garbage']).default('close'),
  /** Strip STARTTLS on later connections carrying a message whose handshake was killed. */
  thenStrip: z.boolean().default(false),
});
export type KillHandshakeSpec = z.output<typeof KillHandshakeSpec>;

/** A plaintext line where the ServerHello should be (OpenSSL: "wrong version number"). */
const GARBAGE = Buffer.from('421 4.7.0 this is not TLS\r\n', 'latin1');

const KILLS: Record<KillHandshakeSpec['how'], TlsVerdict> = {
  close: { forward: NOTHING, close: 'end', note: 'closed the connection on the ClientHello' },
  reset: { forward: NOTHING, close: 'reset', note: 'reset the connection on the ClientHello' },
  alert: { forward: NOTHING, answer: HANDSHAKE_FAILURE_ALERT, close: 'end', note: 'answered the ClientHello with a handshake_failure alert' },
  garbage: { forward: NOTHING, answer: GARBAGE, close: 'end', note: 'answered the ClientHello with plaintext garbage' },
};

/** @example { from: sendmail, to: gateway, fault: kill-handshake, attempts: [1] } */
export function killHandshake(spec: Pick<KillHandshakeSpec, 'how' | 'thenStrip'>, env: Pick<FaultEnv, 'deliveryOf' | 'awaitDelivery'>): LinkFault {
  /** Messages whose handshake this fault broke (`?` stands for connections of unknown senders). */
  const killed = new Set<string>();
  return {
    name: 'kill-handshake',
    open(context) {
      // The message the connection carries, once the sender has announced it; where the announcement travels apart
      // from the bytes, the first hook waits for it: a kill filed under `?` would let the next attempt of the same
      // message be killed again instead of stripped.
      const delivery = announcedDelivery(env, context.clientPort);
      const key = () => whenReady(delivery(), (d) => d?.messageId ?? '?');
      // Decided at the first hook.
      let strip: boolean | undefined;
      const stripping = () => whenReady(key(), (k) => (strip ??= spec.thenStrip && killed.has(k)));
      return {
        reply: (lines, answering) => whenReady(stripping(), (s) => (s ? withoutStarttls(lines, answering) : undefined)),
        tls(dir, _chunk, info) {
          if (dir !== 'C' || !info.first) return undefined;
          return whenReady(stripping(), (s) => (s ? undefined : whenReady(key(), (k): TlsVerdict => {
            killed.add(k);
            return { ...KILLS[spec.how], effect: 'tls-denied' };
          })));
        },
      };
    },
  };
}
