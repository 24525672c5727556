import type { MatcherState } from 'vitest';
import type { Belief } from '../verdict/header-reconstruction.js';
import { headerWords } from '../report/header-words.js';
import { judgedRunOf, linkIndexOf, messagesOf, type MatcherOutcome } from './judged-run.js';
import { MailhopError } from '../errors.js';

const BELIEFS: readonly Belief[] = ['tls', 'plain', 'unknown'];

/**
 * `await expect(run).toBeBelievedOn('relay->mailbox', 'tls')`: for every delivered message, a
 * recipient reading the final mailbox's trusted Received headers (RFC 5321 §4.4 trace fields,
 * RFC 3848 `with ESMTPS`) would believe `link` was `tls`, `plain`, or could not tell (`unknown`),
 * whatever crossed the wire. Pair it with toBeEncryptedOn to catch headers that lie (an eNULL
 * session written as ESMTPS). Failures say what the headers claim and what the wire carried.
 * @throws MailhopError `EUSAGE` when no message was delivered (the headers exist only in a mailbox), or `belief` is not one.
 */
export async function toBeBelievedOn(this: MatcherState, received: unknown, link: string, belief: Belief): Promise<MatcherOutcome> {
  if (!BELIEFS.includes(belief)) {
    throw MailhopError.of('EUSAGE', { where: 'toBeBelievedOn', what: `judge by ${JSON.stringify(String(belief))}`, why: `it is not a belief; expected one of ${BELIEFS.join(', ')}` });
  }
  const run = await judgedRunOf(received, 'toBeBelievedOn');
  linkIndexOf(run, link, 'toBeBelievedOn');
  const delivered = messagesOf(run, 'toBeBelievedOn').filter((m) => m.outcome === 'delivered').map((m) => m.messageId);
  if (delivered.length === 0) {
    throw MailhopError.of('EUSAGE', { where: 'toBeBelievedOn', what: 'read Received headers', why: `no message of scenario ${run.report.name} was delivered` });
  }
  const accounts = (run.report.headers ?? []).filter((h) => h.link === link && delivered.includes(h.messageId));
  const words = headerWords(run.report);
  const wordsOf = (id: string) => words.find((w) => w.messageId === id)?.links.find((l) => l.link === link);
  const matching = accounts.filter((a) => a.believed === belief);
  const off = accounts.filter((a) => a.believed !== belief);
  const shown = this.isNot ? matching : off;
  const lines = shown.map((a) => {
    const w = wordsOf(a.messageId);
    return `${a.messageId} on ${link}: the headers say ${w?.said ?? a.believed}; the wire: ${w?.wire ?? a.actual}${w?.header ? `\n  header: Received: ${w.header}` : ''}`;
  });
  return {
    pass: off.length === 0 && accounts.length > 0,
    message: () =>
      `${this.isNot ? `expected a recipient not to believe ${link} was ${belief}` : `expected a recipient to believe ${link} was ${belief} from the Received headers`}, but:\n\n${lines.join('\n') || `no Received header account for ${link}`}`,
  };
}
