/**
 * The per-run test PKI: a fresh CA (EC P-256, SHA-256) that only this run trusts, plus a second
 * "foreign" CA for `untrusted-ca` certificates and for attackers. Keys live in memory only.
 *
 * Why EC: a P-256 key is made in a tenth of a millisecond against ~120 ms for RSA-2048, whose key
 * generation is a prime search (Node 20), and TLS cost on loopback does not depend on it.
 *
 * Who makes what: selfsigned, a well-kept library, makes the two CAs: one certificate per run (~5 ms), the
 * trust anchor every check depends on. Hop certificates, one per hop and so the bulk of a chain's start-up,
 * are written from parts by leaf-certificate.ts: a leaf cost 6 to 15 ms through selfsigned and still 2 to 3 ms
 * through @peculiar/x509 directly, against ~0.3 ms written from parts (a fresh P-256 key per leaf either way).
 */
import { generate } from 'selfsigned';
import type { CertKind } from '../scenario/policies.js';
import type { KeyCert } from './key-cert.js';
import { issueLeaf, LeafIssuer } from './leaf-certificate.js';

export type { KeyCert } from './key-cert.js';

const DAY_MS = 86_400_000;

/** A CA and what its leaves need of it. */
interface Ca {
  keyCert: KeyCert;
  issuer: LeafIssuer;
}

async function makeCa(commonName: string): Promise<Ca> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    // selfsigned's default digest is SHA-1, which OpenSSL 3 refuses for a CA ("ca md too weak").
    algorithm: 'sha256',
    // Long enough for a `mailhop up` session left running for months; the CA exists only in this process.
    notAfterDate: new Date(Date.now() + 400 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const keyCert = { key: pems.private, cert: pems.cert };
  return { keyCert, issuer: LeafIssuer.of(keyCert) };
}

/** The run's trust anchors and a factory for hop certificates. */
export class RunPki {
  private constructor(private readonly run: Ca) {}

  private foreign: Promise<Ca> | null = null;

  /** The CA every `verify` client of this run trusts. */
  get ca(): KeyCert {
    return this.run.keyCert;
  }

  private foreignIssuer(): Promise<Ca> {
    return (this.foreign ??= makeCa('mailhop foreign CA'));
  }

  /**
   * A CA nobody in the run trusts: signs `untrusted-ca` certificates and attacker certificates.
   * Made on first use (~5 ms), since most chains never need it.
   */
  async foreignCa(): Promise<KeyCert> {
    return (await this.foreignIssuer()).keyCert;
  }

  /** Creates the run's CA (~5 ms). */
  static async create(): Promise<RunPki> {
    return new RunPki(await makeCa('mailhop run CA'));
  }

  /**
   * Issues the certificate a hop presents (~0.3 ms; an `untrusted-ca` one first makes the foreign CA).
   * @param hostname the name the hop is reached by (`<id>.mailhop.test`); put in CN and DNS SAN,
   *   except for `wrong-host`, which names `wrong-host.mailhop.invalid` instead.
   * @param kind which flaw the certificate has (RFC 8460 §4.3.1: certificate-expired,
   *   certificate-not-trusted, certificate-host-mismatch).
   * @throws MailhopError `EUSAGE` when `hostname` is not printable ASCII
   */
  async issue(hostname: string, kind: CertKind): Promise<KeyCert> {
    const now = Date.now();
    // Valid from a day ago (clock skew) for 397 days, within the CA's 400.
    const current = { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 397 * DAY_MS) };
    const issuer = this.run.issuer;
    switch (kind) {
      case 'valid':
        return issueLeaf(hostname, current, issuer);
      case 'valid-chain': {
        // The leaf, then its issuer: served as one chain (RFC 8446 §4.4.2 certificate_list, RFC 7672 §3.1.2).
        const leaf = await issueLeaf(hostname, current, issuer);
        return { ...leaf, cert: `${leaf.cert.trimEnd()}\n${this.run.keyCert.cert}` };
      }
      case 'self-signed':
        return issueLeaf(hostname, current, null);
      case 'expired':
        return issueLeaf(hostname, { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) }, issuer);
      case 'not-yet-valid':
        return issueLeaf(hostname, { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) }, issuer);
      case 'wrong-host':
        return issueLeaf('wrong-host.mailhop.invalid', current, issuer);
      case 'untrusted-ca':
        return issueLeaf(hostname, current, (await this.foreignIssuer()).issuer);
    }
  }
}
