/**
 * A front that answers STARTTLS itself with a refusal and lets the session go on in plaintext
 * (RFC 3207 §4: after a 4xx/5xx the client "must decide" by local policy whether to continue).
 * The honest server behind it never sees the command. Used for `none` (Postfix's 502 to a verb it
 * does not offer) and for the fake modes `fake-454`, `fake-502`, `fake-reply` (docs/behaviour.md#S-none,
 * docs/behaviour.md#S-fake-454).
 */
import type { FrontBehaviour } from './front-runner.js';

/** RFC 3207 §4's 454 text with the enhanced code Postfix uses (RFC 3463 4.7.0). */
export const TLS_TEMPORARILY_UNAVAILABLE = '454 4.7.0 TLS not available due to temporary reason';
/** Postfix's reply to a command it does not implement, STARTTLS included when TLS is off. */
export const COMMAND_NOT_IMPLEMENTED = '502 5.5.1 Error: command not implemented';

/**
 * Answers every STARTTLS with `reply`.
 * @param name the behaviour's name, e.g. `fake-454`
 * @param reply one 4xx/5xx reply line without CRLF, e.g. {@link TLS_TEMPORARILY_UNAVAILABLE}
 * @param onReply told each time the front refused STARTTLS (for the receiver's trace)
 */
export function starttlsReplyFront(name: string, reply: string, onReply?: (reply: string) => void): FrontBehaviour {
  return {
    name,
    onStarttls() {
      onReply?.(reply);
      return { reply };
    },
  };
}
