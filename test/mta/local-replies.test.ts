import { describe, expect, it } from 'vitest';
import { localReplies, type LocalReplies } from '../../harness/mta/local-replies.js';
import { ReplyTexts } from '../../harness/scenario/policies.js';
import { smtpUtf8Refused } from '../../harness/mta/smtputf8.js';

// RFC 3463 §2: the class digit of an enhanced status code says the same as the reply code's first digit
// (2 success, 4 persistent transient failure, 5 permanent failure). A 4xx reply with a 5.x.x code tells a
// reader two different things; so does a 5xx with 4.x.x.

const CTX = { host: 'mailbox.mailhop.test', ip: '127.0.0.1' };

/** Replies a server may give to STARTTLS, the odd ones included (no enhanced code, a class that disagrees, a 3xx). */
const SERVER_REPLIES = [
  { code: 454, enhanced: '4.7.0', text: '454 4.7.0 TLS not available due to temporary reason' },
  { code: 554, enhanced: '5.7.0', text: '554 5.7.0 TLS not available' },
  { code: 502, enhanced: '5.5.1', text: '502 5.5.1 Error: command not implemented' },
  { code: 454, text: '454 no TLS here' },
  { code: 554, text: '554 no TLS here' },
  { code: 454, enhanced: '5.7.1', text: '454 5.7.1 mismatched class' },
  { code: 354, text: '354 go on' },
];

/** Every local reply a client with these texts can produce, named by the decision and the input. */
function everyReply(texts: LocalReplies): Array<[string, { code: number; enhanced?: string; text: string }]> {
  const error = 'TLS handshake failed: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION (tlsv1 alert protocol version)';
  return [
    ['handshakeDeferred', texts.handshakeDeferred(CTX, error)],
    ['handshakeFallback', texts.handshakeFallback(CTX, error)],
    ['notOffered', texts.notOffered(CTX)],
    ['certificateRefused', texts.certificateRefused(CTX, 'CERT_HAS_EXPIRED')],
    // Not product-worded, but a local reply all the same (RFC 6531 §3.2).
    ['smtpUtf8Refused', smtpUtf8Refused(CTX.host)],
    ...SERVER_REPLIES.flatMap((r): Array<[string, ReturnType<LocalReplies['notOffered']>]> => [
      [`starttlsRefused(${r.text})`, texts.starttlsRefused(CTX, r)],
      [`starttlsRejectedDeferred(${r.text})`, texts.starttlsRejectedDeferred(CTX, r)],
    ]),
  ];
}

describe('local replies', () => {
  it.each(ReplyTexts.options)('%s: every reply code has the class of its enhanced status code (RFC 3463 §2), and its text starts with both', (product) => {
    const mismatched = everyReply(localReplies(product))
      .filter(([, r]) => r.enhanced !== undefined && String(r.code)[0] !== r.enhanced[0])
      .map(([decision, r]) => `${decision}: ${r.code} ${r.enhanced}`);
    expect(mismatched).toEqual([]);
    for (const [, r] of everyReply(localReplies(product))) {
      expect(r.code).toBeGreaterThanOrEqual(400);
      expect(r.text.startsWith(r.enhanced ? `${r.code} ${r.enhanced} ` : `${r.code} `)).toBe(true);
    }
  });

  it('postfix, TLS required and STARTTLS refused: the reply keeps the server\'s code, and its enhanced code only when the class agrees', () => {
    // Observed with Postfix 3.7.11 at smtp_tls_security_level = encrypt (dsn= and status= of its log line).
    const refused = (r: (typeof SERVER_REPLIES)[number]) => {
      const { code, enhanced } = localReplies('postfix').starttlsRefused(CTX, r);
      return `${code} ${enhanced}`;
    };
    expect(SERVER_REPLIES.map((r) => [r.text, refused(r)])).toEqual([
      ['454 4.7.0 TLS not available due to temporary reason', '454 4.7.0'],
      ['554 5.7.0 TLS not available', '554 5.7.0'],
      ['502 5.5.1 Error: command not implemented', '502 5.5.1'],
      ['454 no TLS here', '454 4.0.0'],
      ['554 no TLS here', '554 5.0.0'],
      ['454 5.7.1 mismatched class', '454 4.0.0'],
      ['354 go on', '554 5.5.0'],
    ]);
    expect(localReplies('postfix').starttlsRefused(CTX, SERVER_REPLIES[1]).text).toBe(
      '554 5.7.0 TLS is required, but host mailbox.mailhop.test[127.0.0.1] refused to start TLS: 554 5.7.0 TLS not available',
    );
  });
});
