/**
 * The token that makes an id unforgeable where no binding to a connection is possible (behind a real
 * engine, and between compose hops): `X-Mailhop-Seal` is HMAC-SHA256 (RFC 2104) of the id under a key
 * only this chain (or this compose file's hops) holds, so no SMTP peer can make one for an id it was not
 * given. A seal can still be copied from a message it saw (a plaintext link shows it), so whoever checks
 * one also accepts each id only once per hop (delivery-ids.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of HMAC output kept: 128 bits, as base64url (22 characters). */
const SEAL_BYTES = 16;

/**
 * One key's seals.
 * @example const seal = new IdSeal(); seal.verifies('m1', seal.seal('m1')) // true; with another key's seal: false
 */
export class IdSeal {
  readonly #key: Buffer;

  /** @param key the secret (default 32 random bytes, made here and never written anywhere). */
  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  /** The seal of `id`, e.g. `seal('m1')` → `'q3Xk…'` (22 base64url characters). */
  seal(id: string): string {
    return this.#mac(id).toString('base64url');
  }

  /** Whether `seal` is this key's seal of `id` (compared in constant time). */
  verifies(id: string, seal: string | undefined): boolean {
    if (!seal) return false;
    const given = Buffer.from(seal.trim(), 'base64url');
    const expected = this.#mac(id);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(id: string): Buffer {
    return createHmac('sha256', this.#key).update(`mailhop-id\0${id}`, 'utf8').digest().subarray(0, SEAL_BYTES);
  }
}
