import tls from 'node:tls';

/**
 * The TLS client contexts of one chain, built once and reused for every handshake.
 * Passing `ca` to each `tls.connect` builds a new OpenSSL context per connection, which cost
 * 0.6–0.9 ms of CPU per handshake here (README, Speed; bench/what-if.ts).
 * One context per cipher string; the CA store (the run's CA) is the same for all.
 */
export class ClientTlsContexts {
  private readonly cache = new Map<string, tls.SecureContext>();

  /** @param ca PEM certificates a verifying client trusts (the run's CA). */
  constructor(private readonly ca: readonly string[]) {}

  /**
   * The context for an OpenSSL cipher string (default: Node's default list).
   * @throws Error from OpenSSL when the cipher string matches nothing (`ERR_SSL_NO_CIPHER_MATCH`).
   */
  get(ciphers?: string): tls.SecureContext {
    const key = ciphers ?? '';
    let context = this.cache.get(key);
    if (!context) {
      context = tls.createSecureContext({ ca: [...this.ca], ...(ciphers ? { ciphers } : {}) });
      this.cache.set(key, context);
    }
    return context;
  }
}
