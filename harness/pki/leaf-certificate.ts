/**
 * Hop certificates (leaves), written from their parts and signed with node:crypto.
 *
 * Why not through a certificate library: a chain issues one leaf per hop, and @peculiar/x509 (which
 * selfsigned builds on) spends milliseconds per leaf building and re-parsing ASN.1 in JavaScript, which made
 * certificates most of a chain's start-up. Measured side by side (2-core machine at load ~3, Node 20, a
 * fresh P-256 key each): selfsigned 15 ms a leaf, @peculiar/x509 directly 3.3 ms, @peculiar/asn1-schema
 * with node:crypto signing 2.4 ms, written here 0.3 ms. A leaf's shape never changes, so the constant parts
 * are encoded once and each leaf is a few TLVs around a fresh key and one ECDSA signature. OpenSSL reads and
 * verifies every kind this writes (test/pki/run-pki.test.ts), Node's TLS refuses each for its own reason
 * (test/pki/tls-handshake.test.ts).
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { MailhopError } from '../errors.js';
import { bitString, children, directoryString, explicit, octetString, oid, sequence, set, time, tlv, unsignedInteger } from './der.js';
import type { KeyCert } from './key-cert.js';

/** When a certificate is valid (RFC 5280 §4.1.2.5). */
export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** ecdsa-with-SHA256, parameters absent (RFC 5758 §3.2): the TBS's and the certificate's signature algorithm. */
const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
/** `[0] EXPLICIT INTEGER 2`: an X.509 v3 certificate, which extensions need (RFC 5280 §4.1.2.1). */
const VERSION_3 = explicit(0, unsignedInteger(Buffer.from([2])));
/** What every P-256 SubjectPublicKeyInfo starts with (RFC 5480 §2): id-ecPublicKey, prime256v1, a 66-byte BIT STRING. */
const P256_SPKI_HEADER = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

const COMMON_NAME = oid('2.5.4.3');
const SUBJECT_ALT_NAME = oid('2.5.29.17');
const SUBJECT_KEY_ID = oid('2.5.29.14');
const AUTHORITY_KEY_ID = oid('2.5.29.35');
/** An Extension, not critical (the DEFAULT FALSE is left out, as DER requires: X.690 §11.5). */
const extension = (id: Buffer, value: Uint8Array) => sequence(id, octetString(value));
/** The extensions every leaf has (RFC 5280 §4.2.1.9, .3, .12). */
const LEAF_EXTENSIONS = Buffer.concat([
  extension(oid('2.5.29.19'), sequence()), // basicConstraints: not a CA
  // keyUsage digitalSignature only (bit 0; 7 unused bits): an EC key signs the ECDHE exchange, it never
  // enciphers a key, which is RSA key transport (RFC 5480 §3).
  extension(oid('2.5.29.15'), tlv(0x03, Buffer.from([7, 0x80]))),
  extension(oid('2.5.29.37'), sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: TLS server authentication
]);

/**
 * The key identifier of a P-256 public key: SHA-1 of the subjectPublicKey bits, the first method of
 * RFC 5280 §4.2.1.2 (what @peculiar/x509 and OpenSSL compute too).
 * @throws MailhopError `EINTERNAL` when `spki` is not a P-256 key
 */
function keyIdentifier(spki: Buffer): Buffer {
  if (spki.length !== P256_SPKI_HEADER.length + 65 || !spki.subarray(0, P256_SPKI_HEADER.length).equals(P256_SPKI_HEADER)) {
    throw MailhopError.of('EINTERNAL', { where: 'run PKI', what: 'compute a key identifier', why: 'the key is not an uncompressed P-256 key' });
  }
  return createHash('sha1').update(spki.subarray(P256_SPKI_HEADER.length)).digest();
}

/** A CA as its leaves need it, read once: its subject (their issuer, byte for byte), key identifier and private key. */
export class LeafIssuer {
  private constructor(
    readonly name: Buffer,
    readonly keyId: Buffer,
    readonly key: KeyObject,
  ) {}

  /**
   * Reads a CA certificate and its key (PEM): the subject and public key straight from the certificate's
   * DER (a certificate library parsing the whole certificate took 1.5 ms of a 5-hop chain's start-up).
   * @throws Error when either does not parse; MailhopError `EINTERNAL` when the CA's key is not P-256
   */
  static of(ca: KeyCert): LeafIssuer {
    const der = Buffer.from(ca.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const tbs = children(children(der)[0]);
    // RFC 5280 §4.1: [0] version (present in v3), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
    const at = tbs[0][0] === 0xa0 ? 5 : 4;
    return new LeafIssuer(tbs[at], keyIdentifier(tbs[at + 1]), createPrivateKey(ca.key));
  }
}

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * A TLS server certificate for `hostname` (CN and DNS SAN, RFC 6125 §6.4.4) with a fresh P-256 key, signed
 * ecdsa-with-SHA256 by `issuer` or, when null, by its own key (self-signed: issuer = subject, no authority
 * key identifier). A random 64-bit serial (RFC 5280 §4.1.2.2); subject and authority key identifiers
 * (§4.2.1.1-2).
 * @throws MailhopError `EUSAGE` when `hostname` is not printable ASCII (a dNSName is an IA5String, §4.2.1.6)
 */
export function issueLeaf(hostname: string, validity: Validity, issuer: LeafIssuer | null): KeyCert {
  if (!/^[\x21-\x7e]+$/.test(hostname)) {
    throw MailhopError.of('EUSAGE', { where: `certificate for ${JSON.stringify(hostname)}`, what: 'issue it', why: 'a DNS name in a certificate is printable ASCII (RFC 5280 §4.2.1.6)' });
  }
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // The SubjectPublicKeyInfo is the fixed P-256 header around the uncompressed point 04 || x || y (SEC 1
  // §2.3.3): read as JWK coordinates in 0.004 ms, where OpenSSL's SPKI encoder takes 0.12 ms.
  const { x, y } = publicKey.export({ format: 'jwk' });
  const spki = Buffer.concat([P256_SPKI_HEADER, Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]);
  const subject = sequence(set(sequence(COMMON_NAME, directoryString(hostname))));
  const extensions = sequence(
    LEAF_EXTENSIONS,
    extension(SUBJECT_ALT_NAME, sequence(tlv(0x82, Buffer.from(hostname, 'latin1')))), // subjectAltName: [2] dNSName
    extension(SUBJECT_KEY_ID, octetString(keyIdentifier(spki))), // subjectKeyIdentifier
    ...(issuer ? [extension(AUTHORITY_KEY_ID, sequence(tlv(0x80, issuer.keyId)))] : []), // authorityKeyIdentifier: [0] keyIdentifier
  );
  const tbs = sequence(
    VERSION_3,
    unsignedInteger(randomBytes(8)),
    ECDSA_SHA256,
    issuer?.name ?? subject,
    sequence(time(validity.notBefore), time(validity.notAfter)),
    subject,
    spki,
    explicit(3, extensions),
  );
  // node:crypto signs ECDSA as a DER ECDSA-Sig-Value, the form a certificate carries (RFC 5758 §3.2, RFC 3279 §2.2.3).
  const signature = sign('sha256', tbs, issuer?.key ?? privateKey);
  // SEC 1, not PKCS#8: OpenSSL 3 reads it into each hop's TLS context in about half the time (key-cert.ts).
  return { key: privateKey.export({ type: 'sec1', format: 'pem' }) as string, cert: pem(sequence(tbs, ECDSA_SHA256, bitString(signature))) };
}
