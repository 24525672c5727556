import tls from 'node:tls';
import type { Outbound, Submit, TlsVersion } from '../scenario/schema.js';

/** The TLS parameters of mailhop's client under one outbound policy (Node `tls.SecureContextOptions` keys). */
export interface ClientTlsOptions {
  /** Lowest version offered (absent: Node's default, TLSv1.2). */
  minVersion?: TlsVersion;
  /** Highest version offered (absent: Node's default, TLSv1.3). */
  maxVersion?: TlsVersion;
  /** OpenSSL cipher string (absent: Node's default list). */
  ciphers?: string;
}

const LEGACY: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1'];

/**
 * The client's versions and ciphers from a policy's `tlsMinVersion`, `tlsMaxVersion` and `tlsCiphers`. A minimum
 * below TLSv1.2 adds `@SECLEVEL=0` to Node's default list: OpenSSL 3 refuses the SHA-1 (and MD5+SHA-1) handshake
 * signatures of TLS 1.0 and 1.1 at security level 1 and above ("legacy sigalg disallowed or unsupported";
 * OpenSSL SSL_CTX_set_security_level(3), docs/behaviour.md#N-openssl). Node's list, not OpenSSL's `DEFAULT`, so a
 * TLS 1.2 or 1.3 peer negotiates exactly what it would without the lower minimum. An explicit `tlsCiphers` wins
 * as it is, its security level included.
 */
export function clientTlsOptions(policy: Outbound | Submit): ClientTlsOptions {
  if (policy.tls === 'none') return {};
  const { tlsMinVersion: minVersion, tlsMaxVersion: maxVersion, tlsCiphers } = policy;
  const legacy = minVersion !== undefined && LEGACY.includes(minVersion);
  const ciphers = tlsCiphers ?? (legacy ? `${tls.DEFAULT_CIPHERS}:@SECLEVEL=0` : undefined);
  return { ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}), ...(ciphers ? { ciphers } : {}) };
}

/**
 * The TLS client contexts of one chain, built once and reused for every handshake.
 * Passing `ca` to each `tls.connect` builds a new OpenSSL context per connection, which cost
 * 0.6–0.9 ms of CPU per handshake here (README, Speed; bench/what-if.ts).
 * One context per set of client options (versions and cipher string); the CA store (the run's CA) is the same for all.
 */
export class ClientTlsContexts {
  private readonly cache = new Map<string, tls.SecureContext>();

  /** @param ca PEM certificates a verifying client trusts (the run's CA). */
  constructor(private readonly ca: readonly string[]) {}

  /**
   * The context for a client's versions and cipher string (default: Node's defaults).
   * @throws Error from OpenSSL when the cipher string matches nothing (`ERR_SSL_NO_CIPHER_MATCH`).
   */
  get(options: ClientTlsOptions = {}): tls.SecureContext {
    const key = `${options.minVersion ?? ''}|${options.maxVersion ?? ''}|${options.ciphers ?? ''}`;
    let context = this.cache.get(key);
    if (!context) {
      context = tls.createSecureContext({ ca: [...this.ca], ...options });
      this.cache.set(key, context);
    }
    return context;
  }
}
