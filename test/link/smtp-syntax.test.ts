import { describe, expect, it } from 'vitest';
import { advertises, enhancedCode, parseReplyLine, splitCommand } from '../../harness/link/smtp-syntax.js';

describe('SMTP syntax', () => {
  it('reads reply lines as RFC 5321 §4.2 shapes them', () => {
    expect(parseReplyLine('250-PIPELINING')).toEqual({ code: 250, last: false, text: 'PIPELINING' });
    expect(parseReplyLine('250 2.0.0 Ok')).toEqual({ code: 250, last: true, text: '2.0.0 Ok' });
    expect(parseReplyLine('250')).toEqual({ code: 250, last: true, text: '' });
    expect(parseReplyLine('250ok')).toBeUndefined();
    expect(parseReplyLine('25 ok')).toBeUndefined();
    expect(enhancedCode('4.7.0 TLS not available')).toBe('4.7.0');
    expect(enhancedCode('TLS 4.7.0 not available')).toBeUndefined();
  });

  it('skips white space before the verb, and any white space ends it', () => {
    expect(splitCommand('mail FROM:<a@b.test> SIZE=10')).toEqual({ verb: 'MAIL', arg: 'FROM:<a@b.test> SIZE=10' });
    expect(splitCommand(' STARTTLS\t')).toEqual({ verb: 'STARTTLS', arg: '' });
    expect(splitCommand('')).toEqual({ verb: '', arg: '' });
  });

  it('finds an extension in an EHLO reply by its keyword, never in the greeting line', () => {
    expect(advertises(['250-mx.test', '250-SIZE 1000', '250 starttls'], 'STARTTLS')).toBe(true);
    expect(advertises(['250-mx.test', '250 XXXXXXXA'], 'STARTTLS')).toBe(false);
    expect(advertises(['250 STARTTLS'], 'STARTTLS')).toBe(false);
  });
});
