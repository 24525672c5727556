/**
 * The parts every certificate mailhop writes shares (leaf-certificate.ts, ca-certificate.ts): the v3 version and
 * ecdsa-with-SHA256 algorithm TLVs, a fresh P-256 key as its SubjectPublicKeyInfo, a CN-only name, key
 * identifiers, extensions, and PEM armour.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { MailhopError } from '../errors.js';
import { directoryString, explicit, octetString, oid, sequence, set, unsignedInteger } from './der.js';

/** ecdsa-with-SHA256, parameters absent (RFC 5758 §3.2): the TBS's and the certificate's signature algorithm. */
export const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
/** `[0] EXPLICIT INTEGER 2`: an X.509 v3 certificate, which extensions need (RFC 5280 §4.1.2.1). */
export const VERSION_3 = explicit(0, unsignedInteger(Buffer.from([2])));
/** What every P-256 SubjectPublicKeyInfo starts with (RFC 5480 §2): id-ecPublicKey, prime256v1, a 66-byte BIT STRING. */
const P256_SPKI_HEADER = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

const COMMON_NAME = oid('2.5.4.3');
/** subjectKeyIdentifier (RFC 5280 §4.2.1.2). */
export const SUBJECT_KEY_ID = oid('2.5.29.14');

/** An Extension (RFC 5280 §4.1.2.9); not critical unless said (the DEFAULT FALSE is left out, as DER requires: X.690 §11.5). */
export const extension = (id: Buffer, value: Uint8Array, critical = false): Buffer =>
  critical ? sequence(id, Buffer.from([0x01, 0x01, 0xff]), octetString(value)) : sequence(id, octetString(value));

/** A Name holding one CN (RFC 5280 §4.1.2.4, §4.1.2.6). */
export const commonNameOnly = (cn: string): Buffer => sequence(set(sequence(COMMON_NAME, directoryString(cn))));

/**
 * A fresh P-256 key pair and its SubjectPublicKeyInfo (DER): the fixed P-256 header around the uncompressed
 * point 04 || x || y (SEC 1 §2.3.3), read as JWK coordinates in 0.004 ms where OpenSSL's SPKI encoder takes 0.12 ms.
 */
export function freshP256Key(): { privateKey: KeyObject; spki: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' });
  return { privateKey, spki: Buffer.concat([P256_SPKI_HEADER, Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]) };
}

/**
 * The key identifier of a P-256 public key: SHA-1 of the subjectPublicKey bits, the first method of
 * RFC 5280 §4.2.1.2 (what @peculiar/x509 and OpenSSL compute too).
 * @throws MailhopError `EINTERNAL` when `spki` is not a P-256 key
 */
export function keyIdentifier(spki: Buffer): Buffer {
  if (spki.length !== P256_SPKI_HEADER.length + 65 || !spki.subarray(0, P256_SPKI_HEADER.length).equals(P256_SPKI_HEADER)) {
    throw MailhopError.of('EINTERNAL', { where: 'run PKI', what: 'compute a key identifier', why: 'the key is not an uncompressed P-256 key' });
  }
  return createHash('sha1').update(spki.subarray(P256_SPKI_HEADER.length)).digest();
}

/** A DER certificate in PEM armour (RFC 7468 §5), 64 characters a line, ending in a newline. */
export function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
