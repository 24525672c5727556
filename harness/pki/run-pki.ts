/**
 * The per-run test PKI: a fresh CA (EC P-256, SHA-256) that only this run trusts, plus a second
 * "foreign" CA for `untrusted-ca` certificates and for attackers. Keys live in memory only.
 *
 * Why EC: selfsigned makes an EC P-256 certificate in ~5 ms against ~120 ms for RSA-2048, whose
 * key generation is a prime search (selfsigned 5.5, Node 20), and TLS cost on loopback does not depend on it.
 */
import { generate } from 'selfsigned';
import type { CertKind } from '../scenario/schema.js';

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
    notAfterDate: new Date(Date.now() + 2 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

async function makeLeaf(
  hostname: string,
  signer: KeyCert | null,
  validity: { notBefore: Date; notAfter: Date },
): Promise<KeyCert> {
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    ...baseOptions(),
    notBeforeDate: validity.notBefore,
    notAfterDate: validity.notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] },
    ],
    ...(signer ? { ca: { key: signer.key, cert: signer.cert } } : {}),
  });
  return { key: pems.private, cert: pems.cert };
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
    const current = { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + DAY_MS) };
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
