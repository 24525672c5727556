/**
 * The audit battery: the standard cases `mailhop audit` puts an MTA through, as data. In every case the MTA
 * under test is the middle hop: mailhop submits to it (the inbound leg, `client->target`) and it relays to a
 * mock next hop (the outbound leg, `target->next`) that offers, refuses, fakes or breaks STARTTLS, or sits
 * behind a link fault. A case says which leg it watches, so a profile row is one verdict on one link.
 *
 * The cases follow the STARTTLS failure classes of RFC 3207 §4 and §5 (a 454/5xx reply, a failed handshake,
 * a stripped or injected dialogue), the certificate result types of RFC 8460 §4.3.1, and the sender
 * behaviours that RFC 7435 (opportunistic security) leaves to local policy (fallback and its memory).
 */
import type { InboundInput, LinkFaultInput, SubmitInput } from './audit-inputs.js';

/** Which link a case watches: the target's outbound leg (to the mock next hop) or its inbound leg (from mailhop). */
export type AuditLeg = 'outbound' | 'inbound';

/** One standard case of the battery. */
export interface AuditCase {
  /** Stable id, kebab-case, e.g. `starttls-454`; rows, JSON and KNOWN lists use it. */
  id: string;
  /** What the case does, in one line. */
  title: string;
  /** The standard or class the case exercises, e.g. `RFC 3207 §4 (454)`. */
  standard: string;
  /** The leg whose verdict the row reports. */
  leg: AuditLeg;
  /** How the mock next hop receives (default: offers STARTTLS with a valid certificate). */
  next?: InboundInput;
  /** A link fault, on the watched leg. */
  fault?: LinkFaultInput;
  /** How mailhop submits to the target (default: opportunistic TLS). */
  submit?: SubmitInput;
  /** Messages sent, one after the other to one destination (default 1); two show fallback memory. */
  messages?: 1 | 2;
  /**
   * The handshake stalls: a real engine's STARTTLS handshake timeout is set to this (ms) where it takes one, so its
   * product default of 300 s costs seconds of real time (RFC 5321 §4.5.3.2 leaves the value to the client); a preset
   * keeps its product's timeout, which elapses on the virtual clock behind the stall fault.
   */
  stallTimeoutMs?: number;
}

const offer: InboundInput = { starttls: 'offer' };

/** The battery, in the order rows are printed. At least 25 cases (issue 12). */
export const AUDIT_CASES: readonly AuditCase[] = [
  { id: 'offer', title: 'next hop offers STARTTLS, valid certificate', standard: 'RFC 3207 §2', leg: 'outbound', next: offer },
  { id: 'no-starttls', title: 'next hop does not offer STARTTLS', standard: 'RFC 7435 §1 (opportunistic: plaintext allowed)', leg: 'outbound', next: { starttls: 'none' } },
  { id: 'hidden-starttls', title: 'next hop accepts STARTTLS without offering it', standard: 'RFC 3207 §4', leg: 'outbound', next: { starttls: 'hidden' } },
  { id: 'starttls-454', title: 'next hop answers STARTTLS 454 4.7.0', standard: 'RFC 3207 §4 (454)', leg: 'outbound', next: { starttls: 'fake-454' } },
  { id: 'starttls-502', title: 'next hop answers STARTTLS 502 5.5.1', standard: 'RFC 5321 §4.2.4', leg: 'outbound', next: { starttls: 'fake-502' } },
  {
    id: 'starttls-554',
    title: 'next hop answers STARTTLS 554 5.7.0',
    standard: 'RFC 3207 §4 (5xx: not retried in TLS)',
    leg: 'outbound',
    next: { starttls: 'fake-reply', starttlsReply: '554 5.7.0 TLS not available' },
  },
  { id: 'handshake-close', title: 'next hop closes the connection on the ClientHello', standard: 'RFC 3207 §4.1', leg: 'outbound', next: { starttls: 'break-handshake', how: 'close' } },
  { id: 'handshake-alert', title: 'next hop answers the ClientHello with a handshake_failure alert', standard: 'RFC 8446 §6.2', leg: 'outbound', next: { starttls: 'break-handshake', how: 'alert' } },
  { id: 'handshake-garbage', title: 'next hop answers the ClientHello with plaintext', standard: 'RFC 3207 §4.1', leg: 'outbound', next: { starttls: 'break-handshake', how: 'garbage' } },
  {
    id: 'handshake-stall',
    title: 'the link goes silent after the 220 to STARTTLS (no answer to the ClientHello)',
    standard: 'RFC 5321 §4.5.3.2 (timeouts)',
    leg: 'outbound',
    // mailhop's own stall fault: a mock target's handshake timeout (a preset's product value) elapses on the virtual clock.
    fault: { fault: 'stall' },
    stallTimeoutMs: 3_000,
  },
  { id: 'strip-starttls', title: 'on-path attacker removes STARTTLS from the EHLO reply', standard: 'RFC 3207 §6 (stripping)', leg: 'outbound', fault: { fault: 'strip-starttls' } },
  { id: 'mask-starttls', title: 'on-path attacker overwrites STARTTLS in the EHLO reply', standard: 'RFC 3207 §6', leg: 'outbound', fault: { fault: 'mask-starttls' } },
  { id: 'downgrade-454', title: 'on-path attacker answers STARTTLS 454 itself', standard: 'RFC 3207 §6', leg: 'outbound', fault: { fault: 'downgrade-454' } },
  { id: 'tamper-220', title: 'on-path attacker corrupts the 220 to STARTTLS', standard: 'RFC 3207 §6', leg: 'outbound', fault: { fault: 'tamper-220' } },
  { id: 'kill-handshake', title: 'on-path attacker closes the connection on the ClientHello', standard: 'RFC 3207 §6', leg: 'outbound', fault: { fault: 'kill-handshake', how: 'close' } },
  { id: 'reset-on-starttls', title: 'on-path attacker resets the connection on STARTTLS', standard: 'RFC 5321 §4.5.3.2', leg: 'outbound', fault: { fault: 'reset', after: 'STARTTLS' } },
  {
    id: 'inject-response',
    title: 'on-path attacker appends reply lines after the 220 to STARTTLS',
    standard: 'RFC 3207 §4.2 (discard buffered input), CVE-2011-0411 class',
    leg: 'outbound',
    fault: { fault: 'inject-response' },
  },
  { id: 'intercept', title: 'on-path attacker terminates TLS with its own certificate', standard: 'RFC 8460 §4.3.1 (certificate-not-trusted)', leg: 'outbound', fault: { fault: 'intercept' } },
  { id: 'cert-expired', title: 'next hop presents an expired certificate', standard: 'RFC 8460 §4.3.1 (certificate-expired)', leg: 'outbound', next: { starttls: 'offer', cert: 'expired' } },
  { id: 'cert-wrong-host', title: 'next hop presents a certificate for another name', standard: 'RFC 8460 §4.3.1 (certificate-host-mismatch)', leg: 'outbound', next: { starttls: 'offer', cert: 'wrong-host' } },
  { id: 'cert-untrusted', title: 'next hop presents a certificate from an unknown CA', standard: 'RFC 8460 §4.3.1 (certificate-not-trusted)', leg: 'outbound', next: { starttls: 'offer', cert: 'untrusted-ca' } },
  { id: 'cert-self-signed', title: 'next hop presents a self-signed certificate', standard: 'RFC 8460 §4.3.1 (certificate-not-trusted)', leg: 'outbound', next: { starttls: 'offer', cert: 'self-signed' } },
  {
    id: 'tls10-only',
    title: 'next hop speaks only TLS 1.0',
    standard: 'RFC 8996 (TLS 1.0 deprecated); RFC 7435 §3 (any encryption beats none)',
    leg: 'outbound',
    next: { starttls: 'offer', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } },
  },
  {
    id: 'enull-only',
    title: 'next hop accepts only eNULL (unencrypted) cipher suites',
    standard: 'RFC 7525 §4.1 (NULL suites must not be negotiated)',
    leg: 'outbound',
    next: { starttls: 'offer', tls: { maxVersion: 'TLSv1.2', ciphers: 'eNULL:@SECLEVEL=0' } },
  },
  {
    id: 'require-after-strip',
    title: 'next hop requires STARTTLS (530) and an attacker strips it',
    standard: 'RFC 3207 §4 (530 5.7.0)',
    leg: 'outbound',
    next: { starttls: 'require' },
    fault: { fault: 'strip-starttls' },
  },
  {
    id: 'memory-after-alert',
    title: 'two messages to one destination whose handshake fails',
    standard: 'RFC 7435 §3 (fallback is local policy)',
    leg: 'outbound',
    next: { starttls: 'break-handshake', how: 'alert' },
    messages: 2,
  },
  { id: 'memory-after-454', title: 'two messages to one destination that answers STARTTLS 454', standard: 'RFC 3207 §4', leg: 'outbound', next: { starttls: 'fake-454' }, messages: 2 },
  { id: 'inbound-plaintext', title: 'mail arrives in plaintext; next hop offers STARTTLS', standard: 'RFC 7435 §3 (TLS per hop)', leg: 'outbound', submit: { tls: 'none' } },
  {
    id: 'inbound-inject-command',
    title: 'commands pipelined after STARTTLS to the target (CVE-2011-0411)',
    standard: 'RFC 3207 §4.2, CVE-2011-0411',
    leg: 'inbound',
    fault: { fault: 'inject-command', commands: ['QUIT'] },
  },
  { id: 'inbound-stripped', title: 'an attacker strips STARTTLS from the target\'s EHLO reply', standard: 'RFC 3207 §6', leg: 'inbound', fault: { fault: 'strip-starttls' } },
];

/** The link a case's row reports: `target->next` (outbound leg) or `client->target` (inbound leg). */
export function watchedLink(c: Pick<AuditCase, 'leg'>): string {
  return c.leg === 'outbound' ? 'target->next' : 'client->target';
}

/** The case with `id`, or undefined. */
export function auditCase(id: string): AuditCase | undefined {
  return AUDIT_CASES.find((c) => c.id === id);
}
