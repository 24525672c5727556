/**
 * What each real MTA can be configured to do as a hop (`engine: postfix | sendmail | exim | opensmtpd`): the
 * inbound STARTTLS modes and outbound policies it supports, its fallback flavours, whether it can be the final
 * mailbox, and for each outbound key a mock hop also has, the product's own setting it is written into or why
 * it cannot be (engine-hop.ts turns this table into the schema; harness/engines/ writes the settings).
 *
 * The table follows the settings mailhop writes (harness/engines/postfix.ts and its siblings; docs/engines.md)
 * and the fallback flavours each product has after a failed handshake (docs/behaviour.md#B-fallback: Postfix
 * defers and falls back on a later attempt, Sendmail never falls back unless TLSFallbacktoClear is set, Exim and
 * OpenSMTPD reconnect in plaintext at once). OpenSMTPD 6.8.0p2 on Debian 12 fails every inbound TLS handshake
 * with OpenSSL 3 ("missing private key", OpenSMTPD issue #1171), so it takes inbound `none` only. Each setting
 * was checked with the real engine (test/engines/engine-timeouts, engine-ciphers, engine-verify).
 */
import type { Fallback, InboundStarttls } from './policies.js';
import type { RealEngineName } from './hop-kind.js';

/** The outbound policies a real engine can be configured with (no `preserve-inbound`: no real MTA here does that). */
export type EngineOutboundTls = 'none' | 'opportunistic' | 'mandatory' | 'verify';

/** Outbound keys of a mock hop that a real engine takes where its product has a matching setting. */
export type EngineOutboundKey = 'timeout' | 'starttlsTimeout' | 'tlsCiphers';

/**
 * Where an outbound key goes in the product's configuration (`setting`), or why the product cannot take it
 * (`refused`). `sharedWith`: the product has one setting for this key and that one, so given both they must agree.
 */
export type EngineKeySupport = { setting: string; sharedWith?: EngineOutboundKey } | { refused: string };

/** What one engine supports. A value absent from a list is a scenario problem. */
export interface EngineSupport {
  inbound: readonly InboundStarttls[];
  outbound: readonly EngineOutboundTls[];
  /** Fallback flavours after a failed handshake (`outbound.fallback`); the first one is the engine's own, its default. */
  fallback: readonly [Fallback, ...Fallback[]];
  /** Whether it can be the last hop (the final mailbox, delivering into a Maildir). */
  mailbox: boolean;
  /** Per {@link EngineOutboundKey}: the product's setting it becomes, or the reason it is refused. */
  keys: Readonly<Record<EngineOutboundKey, EngineKeySupport>>;
}

const OUTBOUND: readonly EngineOutboundTls[] = ['none', 'opportunistic', 'mandatory', 'verify'];

/** OpenSMTPD's client timeout: smtpd.conf(5) has no setting; mta_session.c (6.8.0p2) calls `io_set_timeout(s->io, 300000)`. */
const OPENSMTPD_TIMEOUT = { refused: "its SMTP client's time limit is compiled in (300 s for each read, write and the TLS handshake, mta_session.c); smtpd.conf(5) has no setting for it" };

export const ENGINE_SUPPORT: Readonly<Record<RealEngineName, EngineSupport>> = {
  postfix: {
    inbound: ['offer', 'none', 'require'],
    outbound: OUTBOUND,
    fallback: ['next-attempt'],
    mailbox: true,
    keys: {
      timeout: { setting: 'smtp_connect_timeout and the smtp_*_timeout of each reply (helo, mail, rcpt, data_init, data_xfer, data_done, rset, quit); smtp_starttls_timeout too unless starttlsTimeout is given' },
      starttlsTimeout: { setting: 'smtp_starttls_timeout' },
      tlsCiphers: { setting: 'tls_high_cipherlist, with smtp_tls_ciphers and smtp_tls_mandatory_ciphers = high (Postfix takes cipher grades, not strings)' },
    },
  },
  sendmail: {
    inbound: ['offer', 'none'],
    outbound: OUTBOUND,
    fallback: ['never', 'reconnect'],
    mailbox: false,
    keys: {
      timeout: { setting: 'Timeout.iconnect, connect, initial, helo, mail, rcpt, datainit, datablock, datafinal, rset, quit and misc (its server side uses them too); Timeout.starttls too unless starttlsTimeout is given' },
      starttlsTimeout: { setting: 'Timeout.starttls (its server side uses it too)' },
      tlsCiphers: { setting: 'CipherList in the access map entry TLS_Clt_Features:<next hop> (FEATURE(tls_session_features)): its client connections only' },
    },
  },
  exim: {
    inbound: ['offer', 'none', 'require'],
    outbound: OUTBOUND,
    fallback: ['reconnect', 'never'],
    mailbox: true,
    keys: {
      timeout: { setting: "the smtp transport's connect_timeout, command_timeout (the banner, each reply and the TLS handshake), data_timeout and final_timeout" },
      starttlsTimeout: { setting: "the smtp transport's command_timeout, which times the TLS handshake and every reply alike (tls-gnu.c)", sharedWith: 'timeout' },
      tlsCiphers: { refused: 'this Exim is built with GnuTLS, whose tls_require_ciphers is a GnuTLS priority string (e.g. NORMAL:+NULL), and an OpenSSL cipher string has no faithful translation into one' },
    },
  },
  opensmtpd: {
    inbound: ['none'],
    outbound: OUTBOUND,
    fallback: ['reconnect'],
    mailbox: false,
    keys: {
      timeout: OPENSMTPD_TIMEOUT,
      starttlsTimeout: OPENSMTPD_TIMEOUT,
      tlsCiphers: { setting: 'smtp ciphers (global; its server side has no TLS here)' },
    },
  },
};

/**
 * Whether `engine` takes the outbound `key` (writes it into a setting of its own) rather than refusing it: what a
 * caller building engine hops (mailhop audit) asks before it sets the key.
 * @example takesOutboundKey('opensmtpd', 'starttlsTimeout') // false: its client timeout is compiled in
 */
export function takesOutboundKey(engine: RealEngineName, key: EngineOutboundKey): boolean {
  return 'setting' in ENGINE_SUPPORT[engine].keys[key];
}
