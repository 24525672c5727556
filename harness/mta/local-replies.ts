/**
 * The replies a client writes for decisions it takes itself (no server said them), in the words of the product
 * its `outbound.replies` names, so a deferral reads as that MTA would log it and put it in a DSN. Sources per
 * product are cited at each text; `mailhop` is mailhop's own Postfix-like wording.
 */
import type { ReplyTexts } from '../scenario/schema.js';
import type { SessionEvent } from '../trace/events.js';
import { gnutlsHandshakeError, opensmtpdHandshakeError } from './handshake-failure-texts.js';

type Reply = SessionEvent['reply'];

/** Where the decision was taken: the next hop's name and address, the error or the server's reply. */
export interface LocalReplyContext {
  /** The next hop's hostname. */
  host: string;
  /** The address connected to. */
  ip: string;
}

/** The client-side decisions that produce a local reply. */
export interface LocalReplies {
  /** The handshake after `220` failed and the message is deferred. */
  handshakeDeferred(ctx: LocalReplyContext, error: string): Reply;
  /** The handshake failed and a plaintext connection follows at once (the first session's reply). */
  handshakeFallback(ctx: LocalReplyContext, error: string): Reply;
  /** TLS is required and STARTTLS was not in the EHLO reply. */
  notOffered(ctx: LocalReplyContext): Reply;
  /**
   * TLS is required and STARTTLS was answered `reply` (4xx/5xx). A 5xx local reply bounces the message at once
   * (sender-session.ts), anything else defers it.
   */
  starttlsRefused(ctx: LocalReplyContext, reply: { code: number; enhanced?: string; text: string }): Reply;
  /** An opportunistic client that does not go on in plaintext after a refused STARTTLS. */
  starttlsRejectedDeferred(ctx: LocalReplyContext, reply: { code: number; enhanced?: string; text: string }): Reply;
  /** `verify` and the certificate failed (`error` is Node's code, e.g. CERT_HAS_EXPIRED). */
  certificateRefused(ctx: LocalReplyContext, error: string | undefined): Reply;
  /**
   * Bytes trailed the 220 to STARTTLS (`starttlsTrailingData` not `discard`), TLS is given up on this connection and
   * a plaintext connection follows at once (the first session's reply).
   */
  trailingDataFallback(ctx: LocalReplyContext): Reply;
  /** Bytes trailed the 220 to STARTTLS and the message is deferred (`defer`, or `handshake-failure` without a fallback). */
  trailingDataDeferred(ctx: LocalReplyContext): Reply;
}

function reply(code: number, enhanced: string | undefined, text: string): Reply {
  return enhanced ? { code, enhanced, text: `${code} ${enhanced} ${text}` } : { code, text: `${code} ${text}` };
}

const TRAILING = 'the server sent data after its 220 to STARTTLS, before the TLS handshake';

const mailhop: LocalReplies = {
  handshakeDeferred: (_c, e) => reply(451, '4.7.5', `Cannot start TLS: ${e}`),
  handshakeFallback: (_c, e) => reply(451, '4.7.5', `Cannot start TLS: ${e}; retrying without STARTTLS`),
  notOffered: (c) => reply(450, '4.7.4', `TLS is required, but was not offered by host ${c.host}`),
  starttlsRefused: (c, r) => reply(450, '4.7.4', `TLS is required, but host ${c.host} refused to start TLS: ${r.text}`),
  starttlsRejectedDeferred: (_c, r) => reply(450, '4.7.0', `STARTTLS refused: ${r.text}`),
  certificateRefused: (_c, e) => reply(451, '4.7.5', `Server certificate not verified (${e})`),
  trailingDataFallback: () => reply(451, '4.7.5', `Cannot start TLS: ${TRAILING}; retrying without STARTTLS`),
  trailingDataDeferred: () => reply(451, '4.7.5', `Cannot start TLS: ${TRAILING}`),
};

/**
 * The server's reply as Postfix's smtp_chat_resp() keeps it: a 4xx or 5xx keeps its code, and its enhanced code when
 * that has the same class digit (RFC 3463 §2), else `4.0.0`/`5.0.0`; any other reply is out of protocol, `5.5.0`
 * (554 here: Postfix logs no code of its own). Observed with Postfix 3.7.11 at level encrypt: `554 5.7.0 ...` gave
 * dsn=5.7.0 bounced, `554 no` 5.0.0 bounced, `454 no` and `454 5.7.1 ...` 4.0.0 deferred, `354 go on` 5.5.0 bounced.
 */
function postfixServerReply(r: { code: number; enhanced?: string }): { code: number; enhanced: string } {
  const digit = String(r.code)[0];
  if (digit !== '4' && digit !== '5') return { code: 554, enhanced: '5.5.0' };
  return { code: r.code, enhanced: r.enhanced?.[0] === digit ? r.enhanced : `${digit}.0.0` };
}

/** Postfix smtp(8) [PF-smtp] smtp_proto.c; texts as observed with Postfix 3.7.11 (docs/behaviour.md#B-mandatory-postfix). */
const postfix: LocalReplies = {
  handshakeDeferred: () => reply(451, '4.7.5', 'Cannot start TLS: handshake failure'),
  handshakeFallback: () => reply(451, '4.7.5', 'Cannot start TLS: handshake failure'),
  notOffered: (c) => reply(450, '4.7.4', `TLS is required, but was not offered by host ${c.host}[${c.ip}]`),
  // smtp_site_fail() with the server's reply: its class decides, a 5xx bounces at once (observed: `554 5.7.0 ...`, dsn=5.7.0, status=bounced).
  starttlsRefused: (c, r) => {
    const kept = postfixServerReply(r);
    return reply(kept.code, kept.enhanced, `TLS is required, but host ${c.host}[${c.ip}] refused to start TLS: ${r.text}`);
  },
  starttlsRejectedDeferred: (c, r) => mailhop.starttlsRejectedDeferred(c, r),
  certificateRefused: () => reply(451, '4.7.5', 'Server certificate not verified'),
  // Postfix discards the bytes (RFC 3207 §4.2), so it never words this: mailhop's texts when a scenario asks for it.
  trailingDataFallback: (c) => mailhop.trailingDataFallback(c),
  trailingDataDeferred: (c) => mailhop.trailingDataDeferred(c),
};

/**
 * sendmail 8.x: the tls_server ruleset (cf/m4/proto.m4 TLS_connection) [SM-op][SM-deliver]: `454 4.7.0 TLS
 * handshake failed.` for `{verify}=SOFTWARE` (TLS_ERRCODE defaults to 454; observed from Debian 12's 8.17.1.9,
 * test/engines/audit-fidelity.test.ts); with an `ENCR:128` requirement and no TLS, `encryption too weak 0
 * less than 128` (observed as `stat=Deferred: 454 4.7.0 ...`, test/engines/log-readers.test.ts).
 */
const sendmail: LocalReplies = {
  handshakeDeferred: () => reply(454, '4.7.0', 'TLS handshake failed.'),
  handshakeFallback: () => reply(454, '4.7.0', 'TLS handshake failed.'),
  notOffered: () => reply(454, '4.7.0', 'encryption too weak 0 less than 128'),
  starttlsRefused: () => reply(454, '4.7.0', 'encryption too weak 0 less than 128'),
  starttlsRejectedDeferred: (c, r) => mailhop.starttlsRejectedDeferred(c, r),
  certificateRefused: () => reply(454, '4.7.0', 'server not authenticated.'),
  // Sendmail discards the bytes: mailhop's texts when a scenario asks for it.
  trailingDataFallback: (c) => mailhop.trailingDataFallback(c),
  trailingDataDeferred: (c) => mailhop.trailingDataDeferred(c),
};

/**
 * Exim's smtp transport [EX-smtp]; texts as observed with Exim 4.96 (docs/behaviour.md#B-exim; Exim writes no SMTP
 * code: 451). Debian's Exim is built on GnuTLS, so a failed handshake reads in GnuTLS's words
 * (`TLS session: (gnutls_handshake): The TLS connection was non-properly terminated.`), never OpenSSL's
 * (handshake-failure-texts.ts, docs/behaviour.md#B-handshake-exim).
 */
const exim: LocalReplies = {
  handshakeDeferred: (_c, e) => reply(451, '4.7.5', `TLS session: (gnutls_handshake): ${gnutlsHandshakeError(e)}`),
  handshakeFallback: (c, e) => reply(451, '4.7.5', `TLS session: (gnutls_handshake): ${gnutlsHandshakeError(e)}: delivering unencrypted to H=${c.host} [${c.ip}] (not in hosts_require_tls)`),
  notOffered: () => reply(451, '4.7.4', 'a TLS session is required, but the server did not offer TLS support'),
  starttlsRefused: () => reply(451, '4.7.0', 'a TLS session is required, but an attempt to start TLS failed'),
  starttlsRejectedDeferred: (c, r) => mailhop.starttlsRejectedDeferred(c, r),
  certificateRefused: (_c, e) => reply(451, '4.7.5', `TLS session: (certificate verification failed): ${e}`),
  // Observed with Exim 4.96: `TLS session: synch error before connect: delivering unencrypted to H=... [...] (not in
  // hosts_require_tls)`, then a new connection in clear (docs/behaviour.md#A-inject-response). The deferral keeps the
  // same first words (not observed: the preset never requires TLS).
  trailingDataFallback: (c) => reply(451, '4.7.5', `TLS session: synch error before connect: delivering unencrypted to H=${c.host} [${c.ip}] (not in hosts_require_tls)`),
  trailingDataDeferred: () => reply(451, '4.7.5', 'TLS session: synch error before connect'),
};

/**
 * OpenSMTPD 6.8 mta_session.c [OSMTPD]: the `mta error reason=...` it logs for a session, as observed with OpenSMTPD
 * 6.8.0p2 (docs/behaviour.md#B-handshake-opensmtpd, #B-mandatory-opensmtpd). Opportunistic: `opportunistic TLS
 * failed, downgrading to plain`. TLS required (`smtp+tls://`): `TLS required but not supported by remote host`,
 * `STARTTLS rejected: <reply>`, and for a failed handshake OpenSSL's error string (handshake-failure-texts.ts).
 * Codes stay mailhop's: OpenSMTPD writes none. The certificate check of `smtp+tls://` without `no-verify` was not
 * observed (mailhop's OpenSMTPD hops never verify), so that text stays mailhop's.
 */
const opensmtpd: LocalReplies = {
  ...mailhop,
  handshakeDeferred: (_c, e) => reply(451, '4.7.5', opensmtpdHandshakeError(e)),
  handshakeFallback: () => reply(451, '4.7.5', 'opportunistic TLS failed, downgrading to plain'),
  notOffered: () => reply(450, '4.7.4', 'TLS required but not supported by remote host'),
  starttlsRefused: (_c, r) => reply(450, '4.7.4', `STARTTLS rejected: ${r.text}`),
  // Observed with OpenSMTPD 6.8.0p2: the session is dropped, the message deferred with this text and no SMTP code.
  trailingDataDeferred: () => reply(451, undefined, 'Remote host sent too much data'),
};

/** nodemailer's smtp-connection errors [NM-conn]: `ETLS`/`ESOCKET` with nodemailer's message (no SMTP code: 450/451). */
const nodemailer: LocalReplies = {
  ...mailhop,
  handshakeDeferred: (_c, e) => reply(451, '4.4.2', `ESOCKET ${e}`),
  handshakeFallback: (_c, e) => reply(451, '4.4.2', `ESOCKET ${e}`),
  starttlsRejectedDeferred: (_c, r) => reply(450, '4.7.0', `ETLS Error upgrading connection with STARTTLS: ${r.text}`),
  starttlsRefused: (_c, r) => reply(450, '4.7.0', `ETLS Error upgrading connection with STARTTLS: ${r.text}`),
};

/** Postini "Send and Deliver TLS" [POSTINI]: one deferral text, without an enhanced code. */
const postiniDeferral = reply(451, undefined, 'Recipient does not support STARTTLS - psmtp');
const postini: LocalReplies = {
  ...mailhop,
  handshakeDeferred: () => postiniDeferral,
  notOffered: () => postiniDeferral,
  starttlsRefused: () => postiniDeferral,
};

const BY_PRODUCT: Readonly<Record<ReplyTexts, LocalReplies>> = { mailhop, postfix, sendmail, exim, opensmtpd, nodemailer, postini };

/** The local replies in the words of `texts`. */
export function localReplies(texts: ReplyTexts): LocalReplies {
  return BY_PRODUCT[texts];
}
