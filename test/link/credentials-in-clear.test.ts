/**
 * The wire witness records SMTP AUTH credentials that cross outside TLS (RFC 4954 §4): a PLAIN response on the AUTH
 * line or after a 334, LOGIN's username and password lines, a bearer token; nothing for CRAM-MD5, a cancelled
 * exchange, or AUTH inside TLS. Fed byte for byte as they crossed, whole and one byte at a time.
 */
import { describe, expect, it } from 'vitest';
import { playWitness } from '../support/play-witness.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const GREET = ['S', '220 mx.test ESMTP\r\n'] as const;
const EHLO = [['C', 'EHLO app.test\r\n'], ['S', '250-mx.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n']] as const;

const play = playWitness;

describe('credentials in clear on the wire', () => {
  for (const size of [Infinity, 1]) {
    it(`records AUTH PLAIN with an initial response (chunks of ${size})`, () => {
      const record = play([GREET, ...EHLO, ['C', `AUTH PLAIN ${b64('\0app\0s3cret')}\r\n`], ['S', '235 2.7.0 Accepted\r\n']], size);
      expect(record.credentialsInClear).toEqual([{ mechanism: 'PLAIN', what: 'password', user: 'app' }]);
    });
  }

  it('records AUTH PLAIN answered after a 334, and LOGIN line by line', () => {
    expect(play([GREET, ...EHLO, ['C', 'AUTH PLAIN\r\n'], ['S', '334 \r\n'], ['C', `${b64('\0app\0s3cret')}\r\n`], ['S', '235 2.7.0 Accepted\r\n']]).credentialsInClear)
      .toEqual([{ mechanism: 'PLAIN', what: 'password', user: 'app' }]);
    expect(play([
      GREET, ...EHLO,
      ['C', 'AUTH LOGIN\r\n'], ['S', '334 VXNlcm5hbWU6\r\n'], ['C', `${b64('app')}\r\n`], ['S', '334 UGFzc3dvcmQ6\r\n'], ['C', `${b64('s3cret')}\r\n`], ['S', '235 2.7.0 Accepted\r\n'],
    ]).credentialsInClear).toEqual([{ mechanism: 'LOGIN', what: 'username', user: 'app' }, { mechanism: 'LOGIN', what: 'password', user: 'app' }]);
  });

  it('records an XOAUTH2 bearer token, with its user', () => {
    const token = b64('user=app@org.test\x01auth=Bearer ya29.token\x01\x01');
    expect(play([GREET, ...EHLO, ['C', `AUTH XOAUTH2 ${token}\r\n`], ['S', '235 2.7.0 Accepted\r\n']]).credentialsInClear)
      .toEqual([{ mechanism: 'XOAUTH2', what: 'password', user: 'app@org.test' }]);
  });

  it('records nothing for CRAM-MD5, a cancelled exchange, a refused mechanism or AUTH inside TLS', () => {
    const quiet = [
      [GREET, ...EHLO, ['C', 'AUTH CRAM-MD5\r\n'], ['S', '334 PDEyMzQ1Njc4OTAuMTIzNDVAbXgudGVzdD4=\r\n'], ['C', `${b64('app 0123456789abcdef')}\r\n`], ['S', '235 2.7.0 Accepted\r\n']],
      [GREET, ...EHLO, ['C', 'AUTH LOGIN\r\n'], ['S', '334 VXNlcm5hbWU6\r\n'], ['C', '*\r\n'], ['S', '501 5.7.0 Authentication aborted\r\n']],
      [GREET, ...EHLO, ['C', 'AUTH PLAIN =\r\n'], ['S', '535 5.7.8 Error\r\n']],
      // After the 220 to STARTTLS every byte is TLS: what follows cannot be read, so nothing is recorded.
      [GREET, ...EHLO, ['C', 'STARTTLS\r\n'], ['S', '220 2.0.0 Ready to start TLS\r\n'], ['C', `\x16\x03\x01\x00\x05hello`], ['C', `AUTH PLAIN ${b64('\0app\0s3cret')}\r\n`]],
    ] as Array<ReadonlyArray<readonly ['C' | 'S', string]>>;
    for (const steps of quiet) expect(play(steps).credentialsInClear).toBeUndefined();
  });
});
