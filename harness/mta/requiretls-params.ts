/**
 * The REQUIRETLS MAIL parameter at a mock hop (RFC 8689 §2 and §4.1; docs/behaviour.md#B-requiretls), as the hop's
 * `inbound.requireTls` says. smtp-server 3.21 advertises REQUIRETLS after STARTTLS unless `hideREQUIRETLS`, but
 * it also accepts the parameter when it does not advertise it, and in a plaintext session it answers
 * `530 REQUIRETLS not permitted on non-TLS connections` (with 530's enhanced code, 5.7.0). A server that does not
 * support an extension refuses its parameter with 555 (RFC 5321 §4.1.1.11, "MAIL FROM/RCPT TO parameters not
 * recognized or not implemented"; RFC 1869 §4.5), which is what Debian 12's Postfix 3.7.11 answers, in plaintext
 * and over TLS (observed: `555 5.5.4 Unsupported option: REQUIRETLS`). A plaintext session never listed
 * REQUIRETLS, so mailhop answers the same 555 there too, also on a hop that advertises it after STARTTLS: a client
 * that sends it anyway used an extension this session did not offer. Not 530: that code asks the client to start
 * TLS or authenticate (RFC 3207 §4, RFC 4954 §6), and a REQUIRETLS client must never have got that far in clear.
 *
 * smtp-server runs its own parameter checks before `onMailFrom`, so this wraps its private
 * `_validateMailParams`; test/mta/requiretls-params.test.ts fails when that method changes shape.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { InboundRequireTls } from '../scenario/schema.js';
import { MailhopError } from '../errors.js';

/** The reply a hop gives a REQUIRETLS it does not take in this session (the enhanced code is smtp-server's for 555). */
export const REQUIRETLS_REFUSED = '555 5.5.4 Unsupported option: REQUIRETLS';

/** What upstream's check says on a plaintext session; the guard test and the patch look for it. */
export const UPSTREAM_REQUIRETLS_FINGERPRINT = 'REQUIRETLS not permitted on non-TLS connections';

/** smtp-server options this patch reads, set per server by {@link requireTlsServerOptions}. */
export interface RequireTlsServerOptions {
  hideREQUIRETLS: boolean;
  requireTlsMode: InboundRequireTls;
  /** Told each refusal, with the reply line, for the receiver's `refused-command` event. */
  onRequireTlsRefused?: (reply: string) => void;
}

interface ParsedAddress {
  args?: Record<string, unknown> | false;
}

interface PatchableConnection {
  secure: boolean;
  _server: { options: Partial<RequireTlsServerOptions> };
}

type Validate = (this: PatchableConnection, parsed: ParsedAddress) => { code: number; message: string; enhancedCode: string | null } | null;

let patched = false;

/**
 * The smtp-server options of a hop with `inbound.requireTls` (absent: `none`): REQUIRETLS is listed after STARTTLS
 * only under `advertise` (RFC 8689 §2), and refused 555 where the session does not take it. Installs the patch they
 * need. @throws MailhopError `EINTERNAL` from {@link installRequireTlsPatch}
 */
export function requireTlsServerOptions(mode: InboundRequireTls | undefined, onRefused?: (reply: string) => void): RequireTlsServerOptions {
  installRequireTlsPatch();
  const requireTlsMode = mode ?? 'none';
  return { hideREQUIRETLS: requireTlsMode !== 'advertise', requireTlsMode, ...(onRefused ? { onRequireTlsRefused: onRefused } : {}) };
}

/**
 * Installs the wrapper once per process (idempotent). Servers without `requireTlsMode` keep upstream's checks.
 * @throws MailhopError `EINTERNAL` if smtp-server's `_validateMailParams` no longer looks like the version this was written for.
 */
export function installRequireTlsPatch(): void {
  if (patched) return;
  const proto = (SMTPConnection as unknown as { prototype: { _validateMailParams: Validate } }).prototype;
  const upstream = proto._validateMailParams;
  if (typeof upstream !== 'function' || !upstream.toString().includes(UPSTREAM_REQUIRETLS_FINGERPRINT)) {
    throw MailhopError.of('EINTERNAL', { where: 'REQUIRETLS', what: 'patch smtp-server', why: 'SMTPConnection._validateMailParams changed upstream', hint: 'Review harness/mta/requiretls-params.ts against the installed smtp-server.' });
  }
  proto._validateMailParams = function validateMailParams(this: PatchableConnection, parsed: ParsedAddress) {
    const options = this._server.options;
    const args = parsed.args || {};
    if (options.requireTlsMode === undefined || args.REQUIRETLS === undefined) return upstream.call(this, parsed);
    if (options.requireTlsMode === 'ignore') {
      // Taken and forgotten: the message is not tagged (smtp-server would tag it, or 530 it in plaintext).
      delete args.REQUIRETLS;
      return upstream.call(this, parsed);
    }
    if (options.requireTlsMode === 'advertise' && this.secure) return upstream.call(this, parsed);
    options.onRequireTlsRefused?.(REQUIRETLS_REFUSED);
    return { code: 555, message: REQUIRETLS_REFUSED.slice('555 5.5.4 '.length), enhancedCode: null };
  };
  patched = true;
}
