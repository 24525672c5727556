/**
 * Reads OpenSMTPD's `-d -v` output. Its lines carry session and envelope ids, not Message-IDs, so facts come
 * without a mailhop id: start-engine.ts ties them to the one message the engine holds, and keeps that tie for
 * later lines about the same message (`ref`: its OpenSMTPD message id, the first 8 hex digits of an envelope id).
 * - `<session> mta connecting address=smtp://...`: a new outbound connection;
 * - `<session> mta tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256`: it established TLS;
 * - `<session> mta server-cert-check result="success"`: the certificate chained to its CA and named the host
 *   it connected to (mta_session.c, 6.8.0p2);
 * - `smtp-out: Error on session <session>: opportunistic TLS failed, downgrading to plain`;
 * - `<session> mta error reason=...`: the session failed (e.g. `TLS required but not supported by remote
 *   host`); the route is disabled for 15 s and the envelope waits: counted as a deferral;
 * - `<session> mta delivery evpid=... from=<sender> ... result="Ok|TempFail|PermFail" stat="..."` per envelope,
 *   `stat` quoting the next hop's reply (`530 5.7.0 Must issue a STARTTLS command first`);
 * - bounces (as observed with OpenSMTPD 6.8): `debug: bounce: <ptr>: found message <msgid>`, then its bounce
 *   session enqueues the DSN over a local connection (`<session> smtp connected address=local`, `<session> smtp
 *   envelope evpid=<dsn> from=<> to=<sender>`); the DSN's own deliveries are skipped.
 */
import { clip, type EngineLogReader, type LogFact } from './engine-definition.js';
import { isReplyLine } from './engine-replies.js';

/** What the reader knows of one outbound (`mta`) session. */
interface SessionFacts {
  tls?: { version: string; cipher: string; verified?: true };
  tlsLine?: string;
  failure?: string;
  /**
   * Its `downgrading to plain` line, while no envelope of the session has been reported: the session goes on in
   * plaintext over a new connection, and its deliveries name the messages the downgrade was for.
   */
  downgrade?: string;
  /** The session downgraded, and the failed handshake is already tied to the envelope reported first. */
  downgraded?: string;
}

export class OpensmtpdLogReader implements EngineLogReader {
  private readonly sessions = new Map<string, SessionFacts>();
  /** SMTP sessions it opened to itself (its bounce process enqueues DSNs over them). */
  private readonly localSessions = new Set<string>();
  /** The message whose DSN its bounce process is writing now. */
  private bouncing: string | undefined;
  /** Envelope ids of the DSNs it wrote itself. */
  private readonly dsns = new Set<string>();

  read(line: string): LogFact[] {
    const failed = /^smtp-out: Error on session ([0-9a-f]+): (.*)$/.exec(line);
    if (failed) {
      const [, session, reason] = failed;
      if (/downgrading to plain/.test(reason)) {
        // The line names no message: the facts wait for the session's first envelope (delivery below).
        this.sessions.set(session, { failure: reason, downgrade: line });
        return [];
      }
      this.sessions.set(session, { failure: reason });
      return /TLS/i.test(reason) ? [{ kind: 'outbound', fact: 'tls-failed', line: clip(line) }] : [];
    }
    const found = /^debug: bounce: \S+: found message ([0-9a-f]{8})$/.exec(line);
    if (found) this.bouncing = found[1];
    const smtp = /^([0-9a-f]{16}) smtp (connected|envelope) (.*)$/.exec(line);
    if (smtp) return this.inbound(smtp[1], smtp[2], smtp[3], line);
    const m = /^([0-9a-f]{16}) mta (\w[\w-]*)(?: (.*))?$/.exec(line);
    if (!m) return [];
    const [, session, what, rest = ''] = m;
    if (what === 'connecting') {
      // A reconnect of the same session (after a downgrade) keeps what the downgrade left to report.
      const { downgrade, downgraded } = this.sessions.get(session) ?? {};
      this.sessions.set(session, { ...(downgrade !== undefined ? { downgrade } : {}), ...(downgraded !== undefined ? { downgraded } : {}) });
    }
    if (what === 'tls') {
      const c = /ciphers=([^:]+):([^:]+)/.exec(rest);
      if (c) this.sessions.set(session, { tls: { version: c[1], cipher: c[2] }, tlsLine: line });
      return [];
    }
    if (what === 'server-cert-check') {
      const tls = this.sessions.get(session)?.tls;
      if (tls && /result="success"/.test(rest)) tls.verified = true;
      return [];
    }
    if (what === 'error') {
      // The session failed and the route is disabled for a while (15 s); the envelope stays queued: a deferral.
      const reason = /reason=(.*)$/.exec(rest)?.[1] ?? rest;
      return [
        ...this.downgradeFacts(session, {}),
        ...(/TLS/i.test(reason) ? [{ kind: 'outbound' as const, fact: 'tls-failed' as const, reply: reason, line: clip(line) }] : []),
        { kind: 'outbound', fact: 'deferred', reply: reason, line: clip(line) },
      ];
    }
    return what === 'delivery' ? this.delivery(session, rest, line) : [];
  }

  /** Its inbound side: only the DSNs its bounce process enqueues over a local connection are facts. */
  private inbound(session: string, what: string, rest: string, line: string): LogFact[] {
    if (what === 'connected') {
      if (/^address=local\b/.test(rest)) this.localSessions.add(session);
      return [];
    }
    const envelope = /^evpid=([0-9a-f]{16}) from=<> to=<([^>]*)>/.exec(rest);
    if (!envelope || !this.localSessions.has(session) || !this.bouncing) return [];
    this.dsns.add(envelope[1]);
    return [{ kind: 'dsn', ref: this.bouncing, to: envelope[2], dsnId: envelope[1], line: clip(line) }];
  }

  /** `mta delivery evpid=... from=<...> ... result="..." stat="..."`: one envelope's outcome (none for its own DSNs). */
  private delivery(session: string, rest: string, line: string): LogFact[] {
    const evpid = /evpid=([0-9a-f]{16})/.exec(rest)?.[1];
    if (evpid && this.dsns.has(evpid)) return [];
    const ref = evpid ? { ref: evpid.slice(0, 8) } : {};
    const result = /result="(\w+)"/.exec(rest)?.[1];
    const reply = /stat="([^"]*)"/.exec(rest)?.[1] ?? '';
    const sender = /from=<([^>]*)>/.exec(rest)?.[1];
    const { tls, tlsLine } = this.sessions.get(session) ?? {};
    const fact = result === 'Ok' ? 'relayed' : result === 'TempFail' ? 'deferred' : 'bounced';
    return [
      ...this.downgradeFacts(session, ref),
      ...(tls ? [{ kind: 'outbound' as const, fact: 'tls' as const, ...ref, tls, line: clip(tlsLine ?? line) }] : []),
      {
        kind: 'outbound', fact, ...ref, reply, ...(isReplyLine(reply) ? { serverReply: reply } : {}),
        ...(fact === 'bounced' && sender !== undefined ? { sender } : {}), ...(tls && fact === 'relayed' ? { tls } : {}), line: clip(line),
      },
    ];
  }

  /**
   * The facts of a session's downgrade, for the envelope `ref` it reports now. OpenSMTPD keeps the session after a
   * failed handshake and reconnects in plaintext (`downgrading to plain`, observed with OpenSMTPD 6.8.0p2); every
   * envelope it then carries rode the downgraded session. The first one reported gets the failed handshake
   * (`tls-failed`, one connection) and each one `plaintext-fallback`; an `mta error` before any envelope gets them
   * without a message (the engine hop ties them when it holds one message).
   */
  private downgradeFacts(session: string, ref: { ref?: string }): LogFact[] {
    const known = this.sessions.get(session);
    if (known?.downgrade !== undefined) {
      const line = clip(known.downgrade);
      known.downgraded = known.downgrade;
      known.downgrade = undefined;
      return [{ kind: 'outbound', fact: 'tls-failed', ...ref, line }, { kind: 'outbound', fact: 'plaintext-fallback', ...ref, line }];
    }
    if (known?.downgraded !== undefined && ref.ref !== undefined) {
      return [{ kind: 'outbound', fact: 'plaintext-fallback', ...ref, line: clip(known.downgraded) }];
    }
    return [];
  }
}
