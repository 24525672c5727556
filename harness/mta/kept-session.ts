/**
 * `fallbackMemory: session` (docs/behaviour.md#B-fallback-memory): the plaintext session a failed handshake led to
 * stays open, and the next message to the destination rides it, with no connection and no STARTTLS of its own.
 * OpenSMTPD does so: one connection whose handshake failed, then one plaintext connection that carried both
 * messages (observed with OpenSMTPD 6.8.0p2, test/engines/fallback-memory.test.ts). A session kept with no
 * message waiting for it is closed with QUIT at once, so nothing stays open while virtual time runs on.
 */
import type { SmtpClient, SmtpReply } from './smtp-client.js';

/** An open plaintext session and the EHLO reply it got (what the next transaction may use, RFC 6531 §3.2). */
export interface OpenSession {
  client: SmtpClient;
  ehlo: SmtpReply;
}

/** At most one open plaintext session to the next hop, handed from one attempt to the next. */
export class KeptSession {
  #open: OpenSession | undefined;

  /** Keeps `session` for the next message (a session kept before is closed). */
  keep(session: OpenSession): void {
    if (this.#open && this.#open.client !== session.client) void this.#open.client.quit();
    this.#open = session;
  }

  /** Takes the kept session, if any; the taker ends it or keeps it again. */
  take(): OpenSession | undefined {
    const open = this.#open;
    this.#open = undefined;
    return open;
  }

  /** Ends the kept session, if any, with QUIT (RFC 5321 §4.1.1.10). Never throws. */
  async close(): Promise<void> {
    const open = this.take();
    if (open) await open.client.quit();
  }
}
