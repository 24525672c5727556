/**
 * TLS-RPT problems of a scenario, found when it loads: an `https:` report URI in a `_smtp._tls` record that is not
 * on loopback (mailhop posts only to its own endpoint there), and `expect.tlsRpt` claims that name no reporting hop.
 * Reads the value defensively: with other problems in the file, parts may not have their parsed shape.
 */
import { parseTlsRptRecord, refusedHttps } from '../tlsrpt/tlsrpt-record.js';

/** One problem, with the key path it is about. */
export interface TlsRptProblem {
  path: Array<string | number>;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every TLS-RPT problem of a scenario value. */
export function tlsRptProblems(value: unknown): TlsRptProblem[] {
  if (!isRecord(value)) return [];
  const out: TlsRptProblem[] = [];
  for (const [domain, zone] of Object.entries(isRecord(value.dns) ? value.dns : {})) {
    if (!isRecord(zone) || typeof zone.tlsRpt !== 'string') continue;
    const record = parseTlsRptRecord(zone.tlsRpt);
    if (!('rua' in record)) continue; // a malformed record is served as written: a reporter then sends nothing (RFC 8460 §3)
    for (const uri of record.rua) {
      const refused = refusedHttps(uri);
      if (refused) out.push({ path: ['dns', domain, 'tlsRpt'], message: refused });
    }
  }
  const hops = Array.isArray(value.hops) ? value.hops : [];
  const reporters = hops.flatMap((h) => (isRecord(h) && typeof h.id === 'string' && h.tlsRpt !== undefined ? [h.id] : []));
  const claims = isRecord(value.expect) && Array.isArray(value.expect.tlsRpt) ? value.expect.tlsRpt : [];
  claims.forEach((claim: unknown, i) => {
    if (!isRecord(claim)) return;
    const at = ['expect', 'tlsRpt', i];
    if (reporters.length === 0) out.push({ path: at, message: 'no hop reports: give the hop that routes by MX a tlsRpt: {} key' });
    else if (typeof claim.reporter === 'string' && !reporters.includes(claim.reporter)) {
      out.push({ path: [...at, 'reporter'], message: `hop "${claim.reporter}" does not report; the reporting hop${reporters.length > 1 ? 's are' : ' is'} ${reporters.join(', ')}` });
    } else if (claim.reporter === undefined && reporters.length > 1) {
      out.push({ path: [...at, 'reporter'], message: `more than one hop reports (${reporters.join(', ')}): say which` });
    }
  });
  return out;
}
