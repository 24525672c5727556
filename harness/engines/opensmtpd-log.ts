/**
 * Reads OpenSMTPD's `-d -v` output. Its lines carry session ids, not Message-IDs, so facts come
 * without a mailhop id and start-engine.ts ties them to the one message the engine holds.
 * - `<session> mta connecting address=smtp://...`: a new outbound connection;
 * - `<session> mta tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256`: it established TLS;
 * - `<session> mta server-cert-check result="success"`: the certificate chained to its CA and named the host
 *   it connected to (mta_session.c, 6.8.0p2);
 * - `smtp-out: Error on session <session>: opportunistic TLS failed, downgrading to plain`;
 * - `<session> mta error reason=...`: the session failed (e.g. `TLS required but not supported by remote
 *   host`); the route is disabled for 15 s and the envelope waits: counted as a deferral;
 * - `<session> mta delivery evpid=... result="Ok|TempFail|PermFail" stat="..."` per envelope.
 */
import { clip, type EngineLogReader, type LogFact } from './engine-definition.js';

export class OpensmtpdLogReader implements EngineLogReader {
  private readonly sessions = new Map<string, { tls?: { version: string; cipher: string; verified?: true }; tlsLine?: string; failure?: string }>();

  read(line: string): LogFact[] {
    const failed = /^smtp-out: Error on session ([0-9a-f]+): (.*)$/.exec(line);
    if (failed) {
      const [, session, reason] = failed;
      this.sessions.set(session, { failure: reason });
      if (/downgrading to plain/.test(reason)) {
        return [
          { kind: 'outbound', fact: 'tls-failed', line: clip(line) },
          { kind: 'outbound', fact: 'plaintext-fallback', line: clip(line) },
        ];
      }
      return /TLS/i.test(reason) ? [{ kind: 'outbound', fact: 'tls-failed', line: clip(line) }] : [];
    }
    const m = /^([0-9a-f]{16}) mta (\w[\w-]*)(?: (.*))?$/.exec(line);
    if (!m) return [];
    const [, session, what, rest = ''] = m;
    if (what === 'connecting') this.sessions.set(session, {});
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
        ...(/TLS/i.test(reason) ? [{ kind: 'outbound' as const, fact: 'tls-failed' as const, reply: reason, line: clip(line) }] : []),
        { kind: 'outbound', fact: 'deferred', reply: reason, line: clip(line) },
      ];
    }
    if (what !== 'delivery') return [];
    const result = /result="(\w+)"/.exec(rest)?.[1];
    const reply = /stat="([^"]*)"/.exec(rest)?.[1] ?? '';
    const { tls, tlsLine } = this.sessions.get(session) ?? {};
    const fact = result === 'Ok' ? 'relayed' : result === 'TempFail' ? 'deferred' : 'bounced';
    return [
      ...(tls ? [{ kind: 'outbound' as const, fact: 'tls' as const, tls, line: clip(tlsLine ?? line) }] : []),
      { kind: 'outbound', fact, reply, ...(tls && fact === 'relayed' ? { tls } : {}), line: clip(line) },
    ];
  }
}
