/**
 * Findings: what an audit profile says about the target, stated against the standards. Each rule reads the rows
 * of the cases it names and, when they show the behaviour, says it in one sentence with the standard that allows
 * or forbids it. Pure: rows in, findings out; a case that did not run (or errored) makes no finding.
 *
 * - `risk`: a weakness an on-path attacker or a broken peer can use (mail in clear, or an unauthenticated peer);
 * - `note`: a behaviour worth knowing that is no weakness by itself (it holds mail, it remembers a failure).
 */
import type { AuditRow } from './audit-row.js';

/** One finding. */
export interface AuditFinding {
  /** Stable id, e.g. `plaintext-after-failed-handshake`. */
  id: string;
  severity: 'risk' | 'note';
  /** The finding, one sentence, with the standard in it. */
  text: string;
  /** The cases it rests on. */
  cases: string[];
}

/** What the finding rules know about the target beyond its rows. */
export interface FindingContext {
  /** Its outbound TLS policy as configured, when mailhop configured it (`opportunistic`, `mandatory`, ...). */
  policy?: string;
}

type Rows = ReadonlyMap<string, AuditRow>;

const ran = (rows: Rows, id: string): AuditRow | undefined => {
  const row = rows.get(id);
  return row && !row.error ? row : undefined;
};
const inClear = (row: AuditRow) => row.verdicts.some((v) => v === 'downgraded' || v === 'stripped' || v === 'plain');
const delivered = (row: AuditRow) => row.outcomes.every((o) => o === 'delivered');

/** A rule: the cases it reads and what it finds in them. */
interface Rule {
  cases: string[];
  /** The rule reads whichever of its cases ran (else it needs its first case, and reads the others by position). */
  group?: true;
  find(rows: AuditRow[], context: FindingContext): Omit<AuditFinding, 'cases'> | undefined;
}

const RULES: Rule[] = [
  {
    cases: ['handshake-close', 'handshake-alert', 'handshake-garbage'],
    group: true,
    find(rows, { policy }) {
      const fell = rows.filter((r) => delivered(r) && inClear(r));
      if (!fell.length) return undefined;
      const when = fell.every((r) => r.sessions[0] === 2) ? 'at once, on a new connection' : 'on a later attempt';
      const own = policy === 'mandatory' || policy === 'verify' ? ` It does so against its own ${policy} setting.` : '';
      return {
        id: 'plaintext-after-failed-handshake',
        severity: own ? 'risk' : 'note',
        text: `After a failed TLS handshake it delivers in plaintext ${when}: allowed for opportunistic TLS by RFC 7435 §3, and an attacker who breaks handshakes gets the mail in clear.${own}`,
      };
    },
  },
  {
    cases: ['inject-response'],
    find([row]) {
      if (row.verdicts[0] === 'tls') return undefined;
      if (delivered(row) && inClear(row)) {
        return { id: 'injected-responses-downgrade', severity: 'risk', text: 'It reads reply lines injected after the 220 to STARTTLS and then delivers in clear: RFC 3207 §4.2 requires discarding them, and an on-path attacker gets a working downgrade.' };
      }
      return { id: 'injected-responses-abort', severity: 'note', text: 'It gives up the session when reply lines are injected after the 220 to STARTTLS (no downgrade, but the mail waits).' };
    },
  },
  {
    cases: ['strip-starttls', 'mask-starttls', 'downgrade-454'],
    group: true,
    find(rows) {
      const stripped = rows.filter((r) => delivered(r) && r.verdicts.includes('stripped'));
      if (!stripped.length) return undefined;
      return { id: 'stripping-accepted', severity: 'risk', text: `It delivers in clear when an on-path attacker removes or refuses STARTTLS (${stripped.length} of ${cases(rows.length)}): opportunistic TLS does not resist an active attacker (RFC 3207 §6); MTA-STS (RFC 8461) or DANE (RFC 7672) would make it refuse.` };
    },
  },
  {
    cases: ['cert-expired', 'cert-wrong-host', 'cert-untrusted', 'cert-self-signed', 'intercept'],
    group: true,
    find(rows) {
      const accepted = rows.filter((r) => delivered(r) && r.verdicts.every((v) => v === 'tls'));
      if (!accepted.length) return undefined;
      return { id: 'certificates-not-verified', severity: 'risk', text: `It sends over TLS to a peer whose certificate does not verify (${accepted.length} of ${cases(rows.length)}): the next hop is not authenticated, so an interceptor reads the mail (RFC 8460 §4.3.1 names these results).` };
    },
  },
  {
    cases: ['tls10-only'],
    find([row]) {
      if (delivered(row) && row.verdicts[0] === 'tls' && /^TLSv1(\.1)? /.test(`${row.tls ?? ''} `)) {
        return { id: 'legacy-tls-negotiated', severity: 'note', text: `It negotiates ${row.tls?.split(' ')[0]} with a peer that speaks nothing newer: deprecated by RFC 8996, yet better than plaintext for opportunistic TLS (RFC 7435 §3).` };
      }
      if (inClear(row)) return { id: 'legacy-tls-refused', severity: 'note', text: 'It falls back to plaintext with a peer that only speaks TLS 1.0: RFC 8996 deprecates TLS 1.0, but RFC 7435 §3 prefers any encryption to none.' };
      return undefined;
    },
  },
  {
    cases: ['enull-only'],
    find([row]) {
      if (!delivered(row) || !row.notes.some((n) => /eNULL/.test(n))) return undefined;
      return { id: 'null-cipher-negotiated', severity: 'risk', text: 'It negotiates an eNULL cipher suite: TLS framing without encryption, which RFC 7525 §4.1 forbids.' };
    },
  },
  {
    cases: ['inbound-inject-command'],
    find([row]) {
      if (delivered(row) && row.verdicts[0] !== 'refused') return undefined;
      return { id: 'inbound-injection-suspect', severity: 'risk', text: 'Commands pipelined after STARTTLS to it kept the mail from being delivered: it may run them inside TLS (CVE-2011-0411; RFC 3207 §4.2 requires discarding them).' };
    },
  },
  {
    cases: ['inbound-plaintext', 'offer'],
    find([plain, offer]) {
      if (!offer || offer.verdicts[0] !== 'tls' || plain.verdicts[0] === 'tls' || !delivered(plain)) return undefined;
      return { id: 'preserves-inbound-tls', severity: 'note', text: 'It relays over TLS only when the message arrived over TLS (preserve-inbound, as MessageLabs documents): mail submitted in plaintext stays in plaintext on the next hop.' };
    },
  },
  {
    cases: ['memory-after-alert'],
    find([row]) {
      const [first, second] = row.sessions;
      if (second === undefined || second >= first) return undefined;
      return { id: 'fallback-remembered', severity: 'note', text: `After the handshake failed for one message, the next message to the same destination took fewer sessions (${first} then ${second}): it remembers the failure beyond one message.` };
    },
  },
  {
    cases: ['handshake-stall'],
    find([row]) {
      if (!row.outcomes.includes('deferred')) return undefined;
      return { id: 'stall-holds-mail', severity: 'note', text: 'A stalled handshake holds the mail: it neither falls back within the case nor gives up (RFC 5321 §4.5.3.2 leaves the timeout to the client).' };
    },
  },
];

/** The findings of a profile, in rule order. */
export function auditFindings(rows: readonly AuditRow[], context: FindingContext = {}): AuditFinding[] {
  const byCase: Rows = new Map(rows.map((r) => [r.case, r]));
  return RULES.flatMap((rule) => {
    const read = rule.cases.map((id) => ran(byCase, id));
    const present = read.filter((r): r is AuditRow => r !== undefined);
    if (rule.group ? present.length === 0 : !read[0]) return [];
    const finding = rule.find(rule.group ? present : (read as AuditRow[]), context);
    return finding ? [{ ...finding, cases: rule.cases.filter((id) => ran(byCase, id)) }] : [];
  });
}

/** `1 case`, `3 cases`. */
function cases(n: number): string {
  return `${n} case${n === 1 ? '' : 's'}`;
}
