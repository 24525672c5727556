/**
 * Short phrases about one message, read off its report (never judged here): where it stopped, the
 * first link that fails a test, its verdict on a link.
 */
import type { MessageReport } from '../verdict/judge-scenario.js';
import type { MessageLinkVerdict } from '../verdict/link-verdict.js';

/** The first link of the message whose verdict fails `ok`, skipping links it never reached. */
export function firstLinkFailing(message: MessageReport, ok: (l: MessageLinkVerdict) => boolean): MessageLinkVerdict | undefined {
  return message.links.find((l) => l.verdict !== 'none' && !ok(l));
}

/** The link leaving the hop that holds (or bounced) the message, e.g. `relay->mailbox`. */
export function stopLink(message: MessageReport): string | undefined {
  const hop = message.stoppedAt?.hop;
  if (!hop) return undefined;
  return message.links.find((l) => l.link.startsWith(`${hop}->`))?.link;
}

/** `deferred at relay (450 4.7.4 TLS is required, …)`, or `delivered`. */
export function outcomePhrase(message: MessageReport): string {
  if (!message.stoppedAt) return message.outcome;
  return `${message.outcome} at ${message.stoppedAt.hop} (${message.stoppedAt.reply.text})`;
}

/** `tls (TLSv1.3 TLS_AES_256_GCM_SHA384)` or `downgraded`. */
export function verdictPhrase(link: MessageLinkVerdict): string {
  return link.version ? `${link.verdict} (${link.version} ${link.cipher})` : link.verdict;
}
