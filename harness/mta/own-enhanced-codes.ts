/**
 * smtp-server 3.21 puts an enhanced status code (RFC 3463) of its own choosing, picked from the reply code, before
 * the text of every refusal mailhop returns from a handler (`err.responseCode`, `err.message`): a `require` hop's
 * `451 5.7.3 STARTTLS is required to send mail` (Exchange Online's, a 4xx reply with a 5.x.x enhanced code) would go
 * out as `451 4.0.0 5.7.3 ...`. This patch lets a text that starts with its own enhanced code keep it, alone: the line
 * is sent as the scenario wrote it. Every other reply is unchanged.
 *
 * It wraps smtp-server's private `SMTPConnection.send(code, data, context)`, which is why the package is pinned
 * exactly; test/mta/require-reply.test.ts checks the reply on the wire.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/** `5.7.3 ` at the start of a reply text: an enhanced status code (RFC 3463 §2: class.subject.detail). */
const OWN_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

type Send = (code: number, data: unknown, context?: unknown) => void;
let patched = false;

/** Installs the patch once per process (idempotent). */
export function installOwnEnhancedCodesPatch(): void {
  if (patched) return;
  const proto = (SMTPConnection as unknown as { prototype: { send: Send } }).prototype;
  const upstream = proto.send;
  proto.send = function send(this: unknown, code: number, data: unknown, context?: unknown) {
    // `false` is smtp-server's own way to say "no enhanced code" (as for the greeting).
    const own = typeof data === 'string' && OWN_CODE.test(data);
    return upstream.call(this, code, data, own ? false : context);
  };
  patched = true;
}
