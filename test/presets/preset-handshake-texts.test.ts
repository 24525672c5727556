import { describe, expect, it } from 'vitest';
import { runInline } from '../support/chain.js';

// What the exim and opensmtpd presets log for a session on relay->mailbox when TLS fails, against the words the
// products logged for the same event (observed with Exim 4.96 on GnuTLS and OpenSMTPD 6.8.0p2, Debian 12;
// docs/behaviour.md#B-handshake-exim, #B-mandatory-opensmtpd; test/engines/reply-texts-exact.test.ts runs the
// real engines where a case takes seconds, not the products' 300 s handshake timeout). Codes are mailhop's (the
// products log none); the text after them is the product's.

type Kill = 'close' | 'reset' | 'alert' | 'garbage';

/** A chain whose relay has `preset` (TLS per `tls`) and whose link to the mailbox kills the handshake `how`, or whose mailbox is `inbound`. */
async function firstReply(preset: 'exim' | 'opensmtpd', tls: 'mandatory' | 'opportunistic', fault: Kill | 'stall' | Record<string, unknown>): Promise<string> {
  const mailbox = fault === 'stall' ? { starttls: 'break-handshake', how: 'stall' } : typeof fault === 'object' ? fault : {};
  const run = await runInline({
    runFor: '1m',
    hops: [{ id: 'relay', preset, outbound: { tls, timeout: '1s', starttlsTimeout: '1s' } }, { id: 'mailbox', inbound: mailbox }] as never,
    links: typeof fault === 'string' && fault !== 'stall' ? ([{ from: 'relay', to: 'mailbox', fault: 'kill-handshake', how: fault }] as never) : [],
  });
  return run.sessions('relay->mailbox')[0].reply.text.replace(/^\d{3} (?:\d\.\d{1,3}\.\d{1,3} )?/, '');
}

describe('exim preset: a failed handshake in GnuTLS\'s words, as Exim 4.96 logs it', () => {
  it.each([
    ['close', 'The TLS connection was non-properly terminated.'],
    ['reset', 'Error in the pull function.'],
    ['alert', 'Handshake failed'],
    ['garbage', 'An unexpected TLS packet was received.'],
    ['stall', 'timed out'],
  ] as Array<[Kill | 'stall', string]>)('TLS required, handshake %s: deferred with %j', async (fault, words) => {
    expect(await firstReply('exim', 'mandatory', fault)).toBe(`TLS session: (gnutls_handshake): ${words}`);
  });

  it('opportunistic, handshake answered with an alert: the same words, then the plaintext reconnect', async () => {
    expect(await firstReply('exim', 'opportunistic', 'alert')).toBe(
      'TLS session: (gnutls_handshake): Handshake failed: delivering unencrypted to H=mailbox.mailhop.test [127.0.0.1] (not in hosts_require_tls)',
    );
  });
});

describe('opensmtpd preset: smtp+tls:// failures as OpenSMTPD 6.8.0p2 logs them (mta error reason=...)', () => {
  it.each([
    ['no STARTTLS offered', 'TLS required but not supported by remote host', { starttls: 'none' }],
    ['454 to STARTTLS', 'STARTTLS rejected: 454 4.7.0 TLS not available due to temporary reason', { starttls: 'fake-454' }],
    ['554 to STARTTLS', 'STARTTLS rejected: 554 5.7.0 nope', { starttls: 'fake-reply', starttlsReply: '554 5.7.0 nope' }],
    ['handshake closed', 'IO Error: error:0A000126:SSL routines::unexpected eof while reading', 'close'],
    ['handshake reset', 'IO Error: No TLS error', 'reset'],
    ['handshake alert', 'IO Error: error:0A000410:SSL routines::sslv3 alert handshake failure', 'alert'],
    ['handshake garbage', 'IO Error: error:0A00010B:SSL routines::wrong version number', 'garbage'],
    ['handshake stalled', 'Connection timeout', 'stall'],
  ] as Array<[string, string, Kill | 'stall' | Record<string, unknown>]>)('%s: %j', async (_name, reason, fault) => {
    expect(await firstReply('opensmtpd', 'mandatory', fault)).toBe(reason);
  });
});
