/**
 * Plain-language sentences about one SMTP session of one message on one link, for `mailhop explain`:
 * which policy was in force and why, what the receiver advertised, what STARTTLS and the handshake
 * did, and how the session ended. Pure: the session event, the scenario and the trace in, sentences out.
 */
import { isAppSubmit, type Scenario } from '../scenario/schema.js';
import type { DeferredEvent, QueuedEvent, SessionEvent, TlsFailureType, TraceEvent, WireEvent } from '../trace/events.js';
import { effectivePolicy } from '../mta/effective-policy.js';
import { formatDuration } from '../scenario/duration.js';

const POLICY_GLOSS: Record<SessionEvent['policy'], string> = {
  none: 'it does not send STARTTLS at all',
  opportunistic: 'it uses STARTTLS when offered and accepts any certificate',
  mandatory: 'TLS is required, but any certificate is accepted',
  verify: 'TLS is required and the certificate must chain to the CA and name the next hop',
};

const FAILURE_GLOSS: Record<TlsFailureType, string> = {
  'starttls-not-supported': 'STARTTLS was not offered',
  'starttls-rejected': 'STARTTLS was refused',
  'handshake-failure': 'the TLS handshake failed',
  'certificate-not-trusted': 'the certificate did not chain to a trusted CA',
  'certificate-expired': 'the certificate had expired (or was not yet valid)',
  'certificate-host-mismatch': 'the certificate did not name the hop',
  'validation-failure': 'the certificate could not be validated',
  'tlsa-invalid': 'no TLSA record matched the certificate',
  'dnssec-invalid': 'the TLSA lookup did not validate',
  'dane-required': 'DANE was required but no usable TLSA records were published under DNSSEC',
  'sts-policy-fetch-error': 'the MTA-STS policy could not be fetched',
  'sts-policy-invalid': 'what the MTA-STS policy host served was no valid policy',
  'sts-webpki-invalid': 'the MTA-STS policy host\'s certificate did not validate',
};

/** The message's envelope recipients, when it is one of the scenario's messages (`m<n>`, sent in order). */
function recipientsOf(scenario: Scenario, messageId: string): string[] {
  const n = /^m(\d+)$/.exec(messageId);
  return n ? [...(scenario.messages[Number(n[1]) - 1]?.to ?? [])] : [];
}

/** Why the sender's policy for this message was what it was (preserve-inbound and enforce lists explained). */
export function policySentence(scenario: Scenario, events: readonly TraceEvent[], s: SessionEvent): string {
  const [, receiver] = s.link.split('->');
  const hop = scenario.hops.find((h) => h.id === s.hop);
  const config = s.hop === 'client' ? (isAppSubmit(scenario.submit) ? undefined : scenario.submit) : hop?.engine === 'mock' ? hop.outbound : undefined;
  const verb = s.hop === 'client' ? 'submitted' : 'relayed';
  // The message's REQUIRETLS or `TLS-Required: No` changed the policy for it (RFC 8689 §4.2), DANE's included.
  const tag = s.policyReason && /^(REQUIRETLS|TLS-Required: No)\b/.test(s.policyReason) ? s.policyReason : undefined;
  if (tag) return `${s.hop} ${verb} ${s.messageId} to ${receiver} under ${s.policy}: ${tag}.${requireTlsSent(s, receiver)}`;
  // A policy from DNS decided (DANE, RFC 7672): its words say what it required, whatever the hop's own policy.
  if (s.tlsPolicy?.source === 'dane') return `${s.hop} ${verb} ${s.messageId} to ${receiver} under DANE: ${s.tlsPolicy.words}.`;
  if (s.tlsPolicy?.source === 'mta-sts') return `${s.hop} ${verb} ${s.messageId} to ${receiver} under MTA-STS: ${s.tlsPolicy.words}.`;
  if (!config || config.tls !== 'preserve-inbound') {
    return `${s.hop} ${verb} ${s.messageId} to ${receiver} under its ${s.policy} policy: ${POLICY_GLOSS[s.policy]}.`;
  }
  const queued = events.find((e): e is QueuedEvent => e.kind === 'queued' && e.hop === s.hop && e.messageId === s.messageId);
  const inbound = queued?.inboundTls ?? null;
  const arrived = inbound ? `over TLS (${inbound.version})` : 'in plaintext';
  const rcpts = recipientsOf(scenario, s.messageId);
  // The enforce list only matters when it changed the outcome (the same function the hop used).
  const withoutEnforce = effectivePolicy({ ...config, enforce: [] }, inbound, rcpts);
  if (config.enforce.length && withoutEnforce !== s.policy) {
    return `${s.hop} received ${s.messageId} ${arrived}, but a recipient's domain is on its enforce list (${config.enforce.join(', ')}), so TLS was mandatory for it whatever the inbound leg did (Boundary Encryption).`;
  }
  return `${s.hop} received ${s.messageId} ${arrived}, so under ${config.preserve} preserve-inbound its policy for this message was ${s.policy}: ${POLICY_GLOSS[s.policy]}.`;
}

/** Whether the REQUIRETLS parameter went on with the message (RFC 8689 §4.2.1), as a sentence; empty when untagged. */
function requireTlsSent(s: SessionEvent, receiver: string): string {
  if (!s.requireTls) return '';
  if (s.requireTls.sent) return ` MAIL FROM carried REQUIRETLS${s.requireTls.advertised ? '' : `, although ${receiver} did not list it`}.`;
  return ` ${receiver} did not list REQUIRETLS after STARTTLS, so the message went on without it.`;
}

/** What happened on the session, in order, as sentences. */
export function sessionSentences(scenario: Scenario, events: readonly TraceEvent[], s: SessionEvent): string[] {
  const [sender, receiver] = s.link.split('->');
  const out: string[] = [];
  // What a link fault did on this connection: the sender's view below is what the fault let through.
  const wire = events.find((e): e is WireEvent => e.kind === 'wire' && e.link === s.link && e.record.clientPort === s.localPort)?.record;
  // A fault that hid STARTTLS from the sender: the receiver did advertise it, the sender never saw it.
  const hidden = wire?.faults.find((f) => f.effect === 'tls-denied' && f.dir === 'S' && /STARTTLS/i.test(`${f.detail ?? ''} ${f.note ?? ''}`));
  const notAdvertised = hidden
    ? `${sender} saw no STARTTLS in ${receiver}'s EHLO reply, although ${receiver} advertised it: the ${hidden.fault} fault on the link hid it`
    : `${receiver} did not advertise STARTTLS`;
  if (s.plaintextRetry) {
    const hop = scenario.hops.find((h) => h.id === s.hop);
    const fallback = hop?.engine === 'mock' ? hop.outbound : undefined;
    const how = !fallback || !('fallback' in fallback)
      ? ''
      : fallback.fallback === 'next-attempt'
        ? ` (fallback: next-attempt, allowed once the message is ${formatDuration(fallback.fallbackAfter)} old)`
        : ` (fallback: ${fallback.fallback})`;
    out.push(`After the failed handshake, ${sender} connected again without STARTTLS${how}: plaintext by choice, to get the message through.`);
  } else if (s.starttlsAdvertised === null) {
    out.push(`The connection ended before ${receiver}'s EHLO reply.`);
  } else if (!s.starttlsAdvertised && !s.starttlsSent) {
    out.push(`${notAdvertised}.`);
  } else if (!s.starttlsSent) {
    out.push(
      `${receiver} advertised STARTTLS, but ${sender} did not use it (${s.policyReason ?? `policy ${s.policy}`}): plaintext by the sender's choice, not a downgrade.`,
    );
  } else {
    // No reply: the connection ended or timed out first (a reset fault, a dropped link); say so, not "answered no reply".
    const reply = s.starttlsReply ? `${receiver} answered ${s.starttlsReply.text}` : `no reply to it came from ${receiver}`;
    out.push(`${s.starttlsAdvertised ? `${receiver} advertised STARTTLS and ` : `${notAdvertised}, yet `}${sender} sent it; ${reply}.`);
  }
  // Per fault, its distinct actions in order, in one sentence: "the downgrade-454 fault acted: sent NOOP ...; answered ...".
  const acts = new Map<string, Set<string>>();
  for (const f of wire?.faults ?? []) {
    const what = f.note ?? `${f.action}${f.detail ? ` on "${f.detail.split('\n')[0].slice(0, 60)}"` : ''}`;
    acts.set(f.fault, (acts.get(f.fault) ?? new Set()).add(what));
  }
  for (const [fault, what] of acts) out.push(`On the link between ${sender} and ${receiver}, the ${fault} fault acted: ${[...what].join('; ')}.`);
  if (s.tls) {
    const cert = s.tlsPolicy?.matched
      ? `the certificate matched the TLSA record ${s.tlsPolicy.matched}, which authenticates it under DANE${s.tls.verified ? '' : ` although it did not verify as PKIX (${s.tls.verifyError}): DANE-EE trusts the key whatever the certificate's names and dates`}`
      : s.tls.verified
      ? `the certificate chained to the run's CA and named ${receiver}${s.policy === 'verify' ? ', as the verify policy requires' : `, although the ${s.policy} policy would have accepted any certificate`}`
      : `the certificate did not verify${s.tls.verifyError ? ` (${s.tls.verifyError})` : ''}`;
    const how = s.tls.resumed
      ? `The server resumed the TLS session ${sender} kept from an earlier connection (an abbreviated handshake: no certificate crossed), giving`
      : 'The handshake gave';
    const of = s.tls.resumed ? ' (as found when that session was established)' : '';
    out.push(`${how} ${s.tls.version} with ${s.tls.cipher}${s.tls.nullCipher ? ', an eNULL suite: TLS framing without any encryption' : ''}; ${cert}${of}.`);
  }
  if (s.tlsFailure && !s.plaintextRetry) {
    // The reply usually quotes the detail already.
    const detail = s.reply.text.includes(s.tlsFailure.detail) ? '' : `: ${s.tlsFailure.detail}`;
    out.push(`TLS was not achieved: ${FAILURE_GLOSS[s.tlsFailure.type]} (${s.tlsFailure.type}${detail}).`);
  }
  out.push(resultSentence(scenario, events, s));
  return out;
}

/**
 * The MX host a hop routing by MX went on to after this session failed, in the same attempt (RFC 5321 §5.1: the
 * next host in preference order is tried before the copy is deferred): the receiver of the hop's next session for
 * the same copy, when that comes before the copy's deferral. Undefined when the session was not a copy's, or the
 * copy was deferred next.
 */
function nextMxHost(events: readonly TraceEvent[], s: SessionEvent): string | undefined {
  if (s.destination === undefined) return undefined;
  const from = events.indexOf(s);
  if (from < 0) return undefined;
  const same = (e: TraceEvent): boolean => 'destination' in e && e.destination === s.destination && 'messageId' in e && e.messageId === s.messageId && 'hop' in e && e.hop === s.hop;
  const next = events.slice(from + 1).find((e) => same(e) && (e.kind === 'deferred' || (e.kind === 'session' && e.link !== s.link)));
  return next?.kind === 'session' ? next.link.split('->')[1] : undefined;
}

function resultSentence(scenario: Scenario, events: readonly TraceEvent[], s: SessionEvent): string {
  const [sender, receiver] = s.link.split('->');
  const content = s.contentSent ? (s.contentSent.encrypted ? 'The message crossed encrypted' : 'The message crossed in plaintext') : 'The message content never crossed';
  switch (s.result) {
    case 'relayed':
      return `${content} and ${receiver} accepted it (${s.reply.text}).`;
    case 'fallback':
      return `${sender} dropped this connection to fall back (${s.reply.text}).`;
    case 'bounced': {
      const from = /^m(\d+)$/.exec(s.messageId);
      const to = from ? scenario.messages[Number(from[1]) - 1]?.from : undefined;
      return `${content}; ${sender} gave up on it (${s.reply.text})${to ? ` and a DSN went to ${to}` : ''}.`;
    }
    case 'deferred': {
      const onward = nextMxHost(events, s);
      if (onward) return `${content}; ${sender} gave ${receiver} up (${s.reply.text}) and went on at once to the next MX host, ${onward} (RFC 5321 §5.1).`;
      const next = events.find((e): e is DeferredEvent => e.kind === 'deferred' && e.hop === s.hop && e.messageId === s.messageId && e.attempt === s.attempt);
      const when = next ? `; next attempt at +${formatDuration(next.nextAttemptAt)} (virtual time)` : '';
      return `${content}; ${sender} deferred it (${s.reply.text})${when}.`;
    }
  }
}
