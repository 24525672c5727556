/**
 * The run's CAs (the one every `verify` client trusts, and the foreign one nobody does), written from parts and
 * self-signed with node:crypto, as the hop certificates are (leaf-certificate.ts).
 *
 * Why not selfsigned any more: a CA through selfsigned (on @peculiar/x509) took ~5 ms of CPU per chain and its
 * modules ~17 MB of a process's memory; `mailhop run scenarios/` starts one chain per scenario, so that was an
 * eighth of its CPU. Written here it is one fresh P-256 key and one signature (~0.3 ms). OpenSSL reads it as a CA
 * and verifies every hop certificate against it (test/pki/run-pki.test.ts).
 */
import { randomBytes, sign } from 'node:crypto';
import { bitString, oid, sequence, time, tlv, unsignedInteger } from './der.js';
import { commonNameOnly, ECDSA_SHA256, extension, freshP256Key, keyIdentifier, pem, SUBJECT_KEY_ID, VERSION_3 } from './certificate-parts.js';
import type { KeyCert } from './key-cert.js';
import type { Validity } from './leaf-certificate.js';

/** basicConstraints, critical: cA TRUE, no path length limit (RFC 5280 §4.2.1.9: critical in a CA certificate). */
const CA_BASIC_CONSTRAINTS = extension(oid('2.5.29.19'), sequence(Buffer.from([0x01, 0x01, 0xff])), true);
/**
 * keyUsage, critical: digitalSignature (bit 0), keyCertSign (5) and cRLSign (6), so 0x86 with 1 unused bit
 * (RFC 5280 §4.2.1.3: keyCertSign is what lets the key sign certificates).
 */
const CA_KEY_USAGE = extension(oid('2.5.29.15'), tlv(0x03, Buffer.from([1, 0x86])), true);

/**
 * A self-signed CA certificate (X.509 v3, RFC 5280) named `CN=<commonName>` with a fresh P-256 key, signed
 * ecdsa-with-SHA256 (RFC 5758 §3.2): random 64-bit serial (§4.1.2.2), issuer = subject, basicConstraints
 * cA and keyUsage keyCertSign, both critical, and a subject key identifier (§4.2.1.2: a CA's must be present)
 * that its leaves' authority key identifier names.
 * @returns the certificate (PEM) and its private key (PKCS#8 PEM, `BEGIN PRIVATE KEY`, RFC 5958)
 * @example issueCa('mailhop run CA', { notBefore: new Date(), notAfter: new Date(Date.now() + 400 * 86_400_000) })
 */
export function issueCa(commonName: string, validity: Validity): KeyCert {
  const { privateKey, spki } = freshP256Key();
  const name = commonNameOnly(commonName);
  const extensions = sequence(CA_BASIC_CONSTRAINTS, CA_KEY_USAGE, extension(SUBJECT_KEY_ID, tlv(0x04, keyIdentifier(spki))));
  const tbs = sequence(VERSION_3, unsignedInteger(randomBytes(8)), ECDSA_SHA256, name, sequence(time(validity.notBefore), time(validity.notAfter)), name, spki, tlv(0xa3, extensions));
  const signature = sign('sha256', tbs, privateKey);
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: pem(sequence(tbs, ECDSA_SHA256, bitString(signature))) };
}
