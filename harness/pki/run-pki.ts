/**
 * The per-run test PKI: a fresh CA (EC P-256, SHA-256) that only this run trusts, plus a second
 * "foreign" CA for `untrusted-ca` certificates and for attackers. Keys live in memory only.
 *
 * Why EC: selfsigned makes an EC P-256 certificate in ~5 ms against ~120 ms for RSA-2048, whose
 * key generation is a prime search (selfsigned 5.5, Node 20), and TLS cost on loopback does not depend on it.
 *
 * Who makes what: selfsigned makes the two CAs (once per run). Hop certificates (one per hop, the bulk of a
 * chain's start-up) are issued with @peculiar/x509 directly, the library selfsigned itself builds on: the
 * CA's key is imported into WebCrypto once per CA instead of once per certificate, and no chain check or
 * fingerprint is computed for a certificate we just signed, which makes a leaf 2.5x cheaper (measured:
 * 17 against 44 ms per leaf on a loaded 2-core machine, bench/pki; fresh P-256 key per leaf either way).
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { generate } from 'selfsigned';
import type { CertKind } from '../scenario/policies.js';

/** PEM key and certificate (PKCS#8 key). */
export interface KeyCert {
  key: string;
  cert: string;
}

const DAY_MS = 86_400_000;

function baseOptions() {
  // selfsigned's default digest is SHA-1, which OpenSSL 3 refuses for a CA ("ca md too weak").
  return { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256' };
}

async function makeCa(commonName: string): Promise<KeyCert> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    ...baseOptions(),
    // Long enough for a `mailhop up` session left running for months; the CA exists only in this process.
    notAfterDate: new Date(Date.now() + 400 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** ECDSA P-256 with SHA-256, for keys and signatures (RFC 5758 §3.2). */
const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** A CA as WebCrypto signs with it: its key imported once, and its subject (the leaves' issuer). */
interface Signer {
  key: webcrypto.CryptoKey;
  subject: string;
  cert: x509.X509Certificate | undefined;
}

const signers = new WeakMap<KeyCert, Promise<Signer>>();

function signerOf(ca: KeyCert): Promise<Signer> {
  let signer = signers.get(ca);
  if (!signer) {
    signer = (async () => {
      const der = Buffer.from(ca.key.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const key = await webcrypto.subtle.importKey('pkcs8', der, EC_ALG, false, ['sign']);
      const cert = new x509.X509Certificate(ca.cert);
      return { key, subject: cert.subject, cert };
    })();
    signers.set(ca, signer);
  }
  return signer;
}

function pem(label: string, der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * A server certificate for `hostname` (CN and DNS SAN, RFC 6125 §6.4.4), with a fresh P-256 key, signed by
 * `signer` or, when null, by its own key (self-signed).
 */
async function makeLeaf(hostname: string, signer: KeyCert | null, validity: { notBefore: Date; notAfter: Date }): Promise<KeyCert> {
  const keys = (await webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const subject = `CN=${hostname}`;
  const issuer = signer ? await signerOf(signer) : { key: keys.privateKey, subject, cert: undefined };
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject,
      issuer: issuer.subject,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      signingAlgorithm: EC_ALG,
      publicKey: keys.publicKey,
      signingKey: issuer.key,
      extensions: [
        new x509.BasicConstraintsExtension(false),
        // An EC key signs (ECDHE key exchange); keyEncipherment is for RSA key transport only (RFC 5480 §3).
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature),
        new x509.ExtendedKeyUsageExtension([SERVER_AUTH]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }]),
        // RFC 5280 §4.2.1.1-2: who signed it (required when a CA did) and which key it holds.
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto as unknown as Parameters<typeof x509.SubjectKeyIdentifierExtension.create>[2]),
        ...(issuer.cert ? [await x509.AuthorityKeyIdentifierExtension.create(issuer.cert, false, webcrypto as unknown as Parameters<typeof x509.AuthorityKeyIdentifierExtension.create>[2])] : []),
      ],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1],
  );
  return { key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), cert: cert.toString('pem') + '\n' };
}

/** A positive 64-bit serial in hex (RFC 5280 §4.1.2.2: unique per CA, at most 20 octets). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(8));
  bytes[0] &= 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** The run's trust anchors and a factory for hop certificates. */
export class RunPki {
  private constructor(
    /** The CA every `verify` client of this run trusts. */
    readonly ca: KeyCert,
  ) {}

  private foreign: Promise<KeyCert> | null = null;

  /**
   * A CA nobody in the run trusts: signs `untrusted-ca` certificates and attacker certificates.
   * Made on first use (~5 ms), since most chains never need it.
   */
  foreignCa(): Promise<KeyCert> {
    return (this.foreign ??= makeCa('mailhop foreign CA'));
  }

  /** Creates the run's CA (~5 ms). */
  static async create(): Promise<RunPki> {
    return new RunPki(await makeCa('mailhop run CA'));
  }

  /**
   * Issues the certificate a hop presents.
   * @param hostname the name the hop is reached by (`<id>.mailhop.test`); put in CN and DNS SAN,
   *   except for `wrong-host`, which names `wrong-host.mailhop.invalid` instead.
   * @param kind which flaw the certificate has (RFC 8460 §4.3.1: certificate-expired,
   *   certificate-not-trusted, certificate-host-mismatch).
   */
  async issue(hostname: string, kind: CertKind): Promise<KeyCert> {
    const now = Date.now();
    // Valid from a day ago (clock skew) for 397 days, within the CA's 400.
    const current = { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 397 * DAY_MS) };
    switch (kind) {
      case 'valid':
        return makeLeaf(hostname, this.ca, current);
      case 'self-signed':
        return makeLeaf(hostname, null, current);
      case 'expired':
        return makeLeaf(hostname, this.ca, { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) });
      case 'not-yet-valid':
        return makeLeaf(hostname, this.ca, { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) });
      case 'wrong-host':
        return makeLeaf('wrong-host.mailhop.invalid', this.ca, current);
      case 'untrusted-ca':
        return makeLeaf(hostname, await this.foreignCa(), current);
    }
  }
}
