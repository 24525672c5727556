/**
 * Replies a sender believed that no TLS protected: bytes that arrived in clear after the server's 220 to STARTTLS,
 * before the handshake, read by the client as its first replies inside TLS (the CVE-2011-0411 class of response
 * injection, client side; docs/behaviour.md#A-inject-response). RFC 3207 §4.2 has the client start afresh after the
 * handshake; a client that acts on such a reply takes an on-path attacker's words for the server's. Like credentials in
 * clear, always a failure, whatever the scenario expects. Told from the sessions mailhop's own client recorded
 * (`SessionEvent.preTlsReplies`, `starttlsTrailingData: keep`). Pure, like every verdict.
 */
import type { SessionEvent } from '../trace/events.js';
import type { FaultAttribution } from './fault-attribution.js';

/** The failure's name, in the field's words. */
export const BELIEVED_REPLY = 'injected response accepted as post-TLS reply (RFC 3207 §4.2, CVE-2011-0411 class)';

/**
 * One sentence per session of the message that read pre-TLS bytes as replies inside TLS, e.g.
 * `attempt 1: read "250-evil.mailhop.test / 250 AUTH PLAIN" as the reply to EHLO inside TLS; inject-response on the
 * link sent it in clear before the handshake`. Empty when no session did.
 */
export function believedReplies(sessions: readonly SessionEvent[], faultsOf: (s: SessionEvent) => FaultAttribution[]): string[] {
  return sessions.flatMap((s) => {
    if (!s.preTlsReplies?.length) return [];
    const where = `attempt ${s.attempt}${s.connection > 1 ? `, connection ${s.connection}` : ''}`;
    const read = s.preTlsReplies.map((r) => `"${r.reply}" as the reply to ${r.command}`).join(', ');
    const injector = faultsOf(s).find((f) => f.fault === 'inject-response');
    const who = injector ? 'inject-response on the link' : 'a party on the link that no scenario fault accounts for';
    return [`${where}: read ${read} inside TLS; ${who} sent it in clear before the handshake`];
  });
}

/** The report's failures: one per message (a MessageReport), link and session that believed such a reply. */
export function believedReplyFailures(messages: ReadonlyArray<{ messageId: string; links: ReadonlyArray<{ link: string; believedReplies?: string[] }> }>): string[] {
  return messages.flatMap((m) => m.links.flatMap((l) => (l.believedReplies ?? []).map((b) => `${m.messageId} on ${l.link}: ${BELIEVED_REPLY}: ${b}`)));
}
