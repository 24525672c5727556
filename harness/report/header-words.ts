/**
 * The report's `headers` (header-reconstruction.ts: what the final mailbox's Received headers make a
 * recipient believe about each link) worded for a reader, beside what crossed the wire. The text and
 * HTML reports render these words, so they say the same thing. Wording only: `believed`, `actual` and
 * `agrees` come from verdict/.
 */
import type { HeaderAccount } from '../verdict/header-reconstruction.js';
import type { ScenarioReport } from '../verdict/judge-scenario.js';
import type { MessageLinkVerdict } from '../verdict/link-verdict.js';

/** One link of one message: the headers' claim and the wire's account, in words. */
export interface HeaderLinkWords {
  link: string;
  agrees: boolean;
  /** What the headers say, e.g. `TLS (with ESMTPS, TLSv1.2 TLS_ECDHE_ECDSA_WITH_NULL_SHA)`. */
  said: string;
  /** What crossed the wire, e.g. `in clear (downgraded)` or `encrypted (TLSv1.3 TLS_AES_256_GCM_SHA384)`. */
  wire: string;
  /** For a disagreement: what a recipient would get wrong, and the facts behind the verdict. */
  consequence?: string;
  /** The trusted Received header behind `said` (its value, unfolded); absent when none could be trusted. */
  header?: string;
}

/** One delivered message: does the recipient's reading of its headers match the wire, link by link. */
export interface HeaderWords {
  messageId: string;
  /** Every link agrees. */
  agrees: boolean;
  links: HeaderLinkWords[];
}

function saidOf(a: HeaderAccount): string {
  const details = [a.claim?.protocol ? `with ${a.claim.protocol}` : undefined, [a.claim?.version, a.claim?.cipher].filter(Boolean).join(' ') || undefined]
    .filter(Boolean)
    .join(', ');
  const more = details ? ` (${details})` : '';
  if (a.believed === 'tls') return `TLS${more}`;
  if (a.believed === 'plain') return `plaintext${more}`;
  return a.header ? `nothing about TLS${more}` : 'nothing a recipient can trust (no trusted Received header for this link)';
}

function wireOf(a: HeaderAccount, verdict: MessageLinkVerdict | undefined): string {
  if (a.actual === 'tls') {
    const suite = [verdict?.version, verdict?.cipher].filter(Boolean).join(' ');
    return `encrypted${suite ? ` (${suite})` : ''}`;
  }
  if (a.actual === 'plain') return `in clear${verdict ? ` (${verdict.verdict})` : ''}`;
  return 'no content of this message';
}

function consequenceOf(a: HeaderAccount, verdict: MessageLinkVerdict | undefined): string {
  const because = verdict?.notes.length ? ` (${verdict.notes.join('; ')})` : '';
  if (a.believed === 'tls' && a.actual === 'plain') return `a recipient would believe this link was encrypted, but the content crossed in clear${because}`;
  if (a.believed === 'plain' && a.actual === 'tls') return 'a recipient would believe this link was in clear, but it was encrypted';
  if (a.believed === 'unknown') return `a recipient cannot tell from the headers how this link went${because}`;
  return `the headers describe a session the wire did not carry${because}`;
}

/**
 * The words for every delivered message of `report`, in message order; empty when no message was
 * delivered or the report was made without a run.
 * @example headerWords(enullReport)[0].links[1]
 *   // { link: 'relay->mailbox', agrees: false, said: 'TLS (with ESMTPS, TLSv1.2 TLS_ECDHE_ECDSA_WITH_NULL_SHA)',
 *   //   wire: 'in clear (downgraded)', consequence: 'a recipient would believe this link was encrypted, but …', header: '…' }
 */
export function headerWords(report: ScenarioReport): HeaderWords[] {
  const out: HeaderWords[] = [];
  for (const a of report.headers ?? []) {
    let message = out.find((m) => m.messageId === a.messageId);
    if (!message) out.push((message = { messageId: a.messageId, agrees: true, links: [] }));
    const verdict = report.messages.find((m) => m.messageId === a.messageId)?.links.find((l) => l.link === a.link);
    message.agrees &&= a.agrees;
    message.links.push({
      link: a.link,
      agrees: a.agrees,
      said: saidOf(a),
      wire: wireOf(a, verdict),
      ...(a.agrees ? {} : { consequence: consequenceOf(a, verdict) }),
      ...(a.header ? { header: a.header } : {}),
    });
  }
  return out;
}

/**
 * The one-line summary of messages that all agree (`Received headers of m1, m2 match the wire on all 3 links`)
 * or of one that does not (`Received headers of m1 disagree with the wire on 1 of 2 links`).
 */
export function headerSummary(messages: readonly HeaderWords[]): string {
  const ids = messages.map((m) => m.messageId).join(', ');
  // A message split per destination reaches several mailboxes, each copy's headers telling of the shared links up
  // to the routing hop again: count each link once.
  const distinct = (links: readonly HeaderLinkWords[]) => new Set(links.map((l) => l.link)).size;
  const links = distinct(messages[0]?.links ?? []);
  const wrong = Math.max(0, ...messages.map((m) => distinct(m.links.filter((l) => !l.agrees))));
  if (wrong) return `Received headers of ${ids} disagree with the wire on ${wrong} of ${links} link${links === 1 ? '' : 's'}`;
  return `Received headers of ${ids} match the wire on ${links === 1 ? 'the only link' : links === 2 ? 'both links' : `all ${links} links`}`;
}
