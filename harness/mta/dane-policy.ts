/**
 * DANE for SMTP (RFC 7672 §2.2) as a hop that routes by MX applies it to each MX host, before connecting: the TLSA
 * lookup at `_25._tcp.<host>` in the run's DNS, and what its answer makes of the host:
 * - usable records (DANE-TA(2), DANE-EE(3)) under DNSSEC: TLS mandatory and authenticated by them;
 * - only unusable records (PKIX-TA(0), PKIX-EE(1)) under DNSSEC: TLS mandatory, not authenticated;
 * - an insecure answer, or a validated "no TLSA": no DANE, the hop's own policy (pre-DANE behaviour);
 * - a failed lookup (bogus, SERVFAIL, no answer): the host is unusable, the next MX is tried (`dnssec-invalid`).
 * DANE applies only when the MX answer itself was validated (RFC 7672 §2.2.1). `dane: require` uses only hosts with
 * usable records under DNSSEC (`dane-required` otherwise).
 */
import type { Dane } from '../scenario/schema.js';
import type { TlsFailureType, TlsPolicyFact } from '../trace/events.js';
import { presentTlsa, usableTlsa, type TlsaRecordData } from '../dns/dane-match.js';
import { tlsaName } from '../dns/dns-answers.js';
import { cachedLookup, recordLookup, type MxRouting, type RoutedCopy } from './mx-delivery.js';
import type { AttemptOutcome, RelayTarget } from './relay-target.js';

/** The hop's own policy, when no policy from DNS decides: `hop` when it requires TLS, else `none`. */
export function ownPolicyFact(target: RelayTarget, why: string): TlsPolicyFact {
  const tls = target.policy.tls;
  const requires = tls === 'mandatory' || tls === 'verify';
  return { source: requires ? 'hop' : 'none', words: `${why}; ${requires ? `the hop's own policy decides (tls: ${tls})` : `nothing required TLS (the hop's tls: ${tls})`}` };
}

/** A host the copy cannot use, recorded on the lookup's event: a temporary failure, so the next MX is tried. */
function unusable(text: string, enhanced: string): AttemptOutcome {
  return { result: 'deferred', reply: { code: 451, enhanced, text: `451 ${enhanced} ${text}` } };
}

/**
 * The target to deliver over for one MX host under `dane`, or the outcome that passes the host by.
 * @param mxSecure the MX answer carried the AD bit.
 */
export async function daneTarget(routing: MxRouting, copy: RoutedCopy, host: string, target: RelayTarget, mxSecure: boolean, dane: Dane): Promise<RelayTarget | AttemptOutcome> {
  const using = (fact: TlsPolicyFact, requiresTls = false, tlsa: TlsaRecordData[] = []): RelayTarget => ({ ...target, dnsPolicy: { fact, requiresTls, tlsa } });
  if (dane === 'ignore') return using(ownPolicyFact(target, 'DANE is not looked up (dane: ignore)'));
  const name = tlsaName(host.replace(/\.mailhop\.test$/, ''));
  const found = await cachedLookup(routing, name, 'TLSA');
  const decide = (decision: string, failure?: TlsFailureType) => recordLookup(routing, copy, target.link, found, { decision, ...(failure ? { failure } : {}) });
  const records = found.records.map((r) => {
    const d = (r as { data: { usage: number; selector: number; matchingType: number; certificate: Buffer } }).data;
    return { usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: d.certificate };
  });
  if (!mxSecure) {
    const why = `${copy.destination}'s MX answer is not DNSSEC-validated, so DANE does not apply (RFC 7672 §2.2.1)`;
    if (dane === 'require') return refuse(decide, host, why, target);
    decide(why);
    return using(ownPolicyFact(target, why));
  }
  if (found.outcome === 'servfail' || found.outcome === 'timeout' || found.outcome === 'refused') {
    const what = found.outcome === 'timeout' ? 'got no answer' : 'failed (SERVFAIL)';
    decide(`the TLSA lookup ${what}: ${host} is not used, and never in clear (RFC 7672 §2.2)`, 'dnssec-invalid');
    return unusable(`TLSA lookup for ${name} ${what}: MX host not used`, '4.4.3');
  }
  const described = records.map(presentTlsa).join(', ');
  if (found.ad && records.some(usableTlsa)) {
    const words = `${copy.destination} publishes DANE for ${host} (secure zone, ${described}): TLS required and authenticated by TLSA`;
    decide(words);
    return using({ source: 'dane', words, authenticates: true }, true, records);
  }
  if (found.ad && records.length > 0) {
    const words = `${copy.destination} publishes only unusable TLSA records for ${host} (secure zone, ${described}): TLS required, not authenticated (RFC 7672 §3.1.3)`;
    decide(words);
    return using({ source: 'dane', words, authenticates: false }, true, records);
  }
  const why = found.ad ? `DNSSEC says ${host} has no TLSA records` : `the TLSA answer for ${host} is not DNSSEC-validated (insecure zone)`;
  if (dane === 'require') return refuse(decide, host, why, target);
  decide(`${why}: no DANE`);
  return using(ownPolicyFact(target, `${why}, so DANE does not apply`));
}

/**
 * `dane: require` and no usable records under DNSSEC: the host is not used (`dane-required`), and the message
 * waits, or bounces under `daneRequiredMissing: bounce` (Exim 4.96, which fails the message at once).
 */
function refuse(decide: (decision: string, failure?: TlsFailureType) => void, host: string, why: string, target: RelayTarget): AttemptOutcome {
  const bounce = (target.policy as { daneRequiredMissing?: string }).daneRequiredMissing === 'bounce';
  decide(`dane: require, but ${why}: ${host} is not used${bounce ? '; the message bounces' : ''}`, 'dane-required');
  const text = `DANE required, but ${why}: MX host ${host} not used`;
  return bounce ? { result: 'bounced', reply: { code: 550, enhanced: '5.7.5', text: `550 5.7.5 ${text}` } } : unusable(text, '4.7.5');
}
