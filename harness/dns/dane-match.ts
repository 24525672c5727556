/**
 * Whether a presented certificate matches a DANE TLSA RRset (RFC 7672 §3.1, RFC 6698 §2.1): DANE-EE(3) matches the
 * server's own certificate or key and ignores its names and dates (RFC 7672 §3.1.1); DANE-TA(2) matches a trust
 * anchor the server's chain leads to, and the chain and the name must then check out (§3.1.2). PKIX-TA(0) and
 * PKIX-EE(1) are unusable in SMTP (§3.1.3) and never match.
 */
import { X509Certificate } from 'node:crypto';
import { matched, selected } from './tlsa-data.js';

/** A TLSA record as received: its fields and association data. */
export interface TlsaRecordData {
  usage: number;
  selector: number;
  matchingType: number;
  data: Buffer;
}

/** Usable for SMTP: DANE-TA(2) or DANE-EE(3), with a known selector and matching type (RFC 7672 §3.1.3). */
export function usableTlsa(r: TlsaRecordData): boolean {
  return (r.usage === 2 || r.usage === 3) && r.selector <= 1 && r.matchingType <= 2;
}

/** A record in presentation form, data shortened: `3 1 1 5a0c…`. */
export function presentTlsa(r: TlsaRecordData): string {
  const hex = r.data.toString('hex');
  return `${r.usage} ${r.selector} ${r.matchingType} ${hex.length > 16 ? `${hex.slice(0, 16)}…` : hex}`;
}

/** What the client knows of the server's TLS session, for matching. */
export interface PresentedChain {
  /** The server's certificate. */
  leaf: X509Certificate;
  /**
   * Trust anchor candidates: the certificates the server presented after its own (PEM). A DANE-TA(2) record matches
   * only one of them (RFC 7672 §3.1.2: the server must include the TA certificate in its chain), as Postfix 3.7 and
   * Exim 4.96 were observed to require (test/engines/dane-fidelity.test.ts).
   */
  anchors: readonly string[];
  /** The chain to those anchors validated and the certificate names the MX host (Node's verification). */
  chainAndNameValid: boolean;
}

/**
 * The first usable record that matches, in presentation form, or undefined when none does.
 */
export function daneMatch(records: readonly TlsaRecordData[], presented: PresentedChain): string | undefined {
  for (const r of records.filter(usableTlsa)) {
    if (r.usage === 3 && matched(selected(presented.leaf, r.selector), r.matchingType).equals(r.data)) return presentTlsa(r);
    if (r.usage === 2 && presented.chainAndNameValid) {
      const anchor = presented.anchors.find((pem) => matched(selected(new X509Certificate(pem), r.selector), r.matchingType).equals(r.data));
      if (anchor) return presentTlsa(r);
    }
  }
  return undefined;
}
