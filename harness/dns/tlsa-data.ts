/**
 * The association data of a TLSA record (RFC 6698 §2.1.4), made from the run's certificates: the certificate or
 * its SubjectPublicKeyInfo (selector 0 or 1, §2.1.2), as it is or hashed with SHA-256 or SHA-512 (matching type
 * 0, 1 or 2, §2.1.3). The same function checks a presented certificate against a record (dane-check.ts).
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import type { TlsaMatches, TlsaRecord } from '../scenario/dns-zones.js';

/** What a record's `matches` draws on: PEM certificates of the hop (served and an old one) and the run's CA. */
export interface TlsaSources {
  served: string;
  old: string;
  issuer: string;
}

/** The bytes a certificate contributes under `selector`: its DER (0) or its SubjectPublicKeyInfo DER (1). */
export function selected(cert: X509Certificate, selector: number): Buffer {
  return selector === 0 ? cert.raw : (cert.publicKey.export({ type: 'spki', format: 'der' }) as Buffer);
}

/** `data` under `matchingType`: itself (0), its SHA-256 (1) or SHA-512 (2) digest. */
export function matched(data: Buffer, matchingType: number): Buffer {
  if (matchingType === 0) return data;
  return createHash(matchingType === 1 ? 'sha256' : 'sha512').update(data).digest();
}

/** The association data of `record`; `garbage` is random bytes as long as the served key's data. */
export function tlsaData(record: TlsaRecord, sources: TlsaSources): Buffer {
  const from = (which: Exclude<TlsaMatches, 'garbage'>) =>
    matched(selected(new X509Certificate(sources[which === 'served-key' ? 'served' : which === 'old-key' ? 'old' : 'issuer']), record.selector), record.matchingType);
  if (record.matches !== 'garbage') return from(record.matches);
  return randomBytes(from('served-key').length);
}
