/**
 * Header fields read from raw messages (RFC 5322 §2.2): the in-place reading of an ASCII header section gives
 * exactly what reading the decoded text gives, for folding, case, line ends, the end of the section, and the
 * messages that take the text reading (UTF-8 fields, a bare CR).
 */
import { describe, expect, it } from 'vitest';
import { headerValue, headerValues } from '../../harness/mta/header-fields.js';

/** The reading of the decoded header section, as mailhop read every message before the in-place reading. */
function textReading(raw: Buffer, name: string): string[] {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end) : text;
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'gim');
  return [...head.matchAll(re)].map((m) => m[1].replace(/\r?\n[ \t]+/g, ' ').trim());
}

const received = (i: number) => `Received: from h${i}.mailhop.test (h${i}.mailhop.test [127.0.0.1])\r\n\tby h${i + 1}.mailhop.test (mailhop) with ESMTPS id ${i}\r\n\tfor <bob@partner.test>; Mon, 7 Dec 2026 12:00:00 +0000\r\n`;

const MESSAGES: Record<string, string> = {
  'CRLF, folded Received headers, body lines that look like fields': `${received(2)}${received(1)}X-Mailhop-Id: m1\r\nSubject: hi\r\n\r\nReceived: not a header\r\nX-Mailhop-Id: m2\r\n`,
  'bare LF line ends and an LF-only empty line': 'Received: from a\n\tby b\nreceived:c\nX-MAILHOP-ID:   m1  \n\nReceived: body\n',
  'mixed CRLF then LF empty line': 'Received: a\r\n b\r\nTLS-Required: No\r\n\nTLS-Required: yes\r\n',
  'no empty line at all, no final line end': 'X-Mailhop-Id: m1\r\nReceived: last',
  'a field name inside another name or value': 'X-Received: no\r\nReceivedX: no\r\nSubject: Received: no\r\n Received: folded, not a field\r\nReceived:yes\r\n\r\n',
  'an empty value and a value of spaces': 'Received:\r\nReceived:    \r\n\tfolded\r\nMessage-ID: <a@b>\r\n\r\n',
  'a message with only a header section ending in CRLF': 'Received: x\r\n',
  'an empty message': '',
  'a bare CR inside a field (the text reading starts a line there)': 'Subject: a\rReceived: after a bare CR\r\nReceived: b\r\n\r\n',
  'UTF-8 in a field (RFC 6532)': 'Received: from a\r\n\tfor <用户@例子.test>; Mon, 7 Dec 2026\r\nX-Mailhop-Id: m1\r\n\r\nbody\r\n',
  'a line separator (U+2028) in a field': 'Received: a\u2028Received: b\r\n\r\n',
  'invalid UTF-8 bytes': '',
};

describe('headerValues', () => {
  const names = ['Received', 'X-Mailhop-Id', 'TLS-Required', 'Message-ID', 'Subject'];
  const cases = Object.entries(MESSAGES).map(([what, text]) => [what, what === 'invalid UTF-8 bytes' ? Buffer.from([0x52, 0x65, 0x63, 0x65, 0x69, 0x76, 0x65, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]) : Buffer.from(text, 'utf8')] as const);

  it.each(cases)('%s: every field reads as in the decoded text', (_, raw) => {
    for (const name of names) expect(headerValues(raw, name), name).toEqual(textReading(raw, name));
    for (const name of names) expect(headerValues(raw.toString('utf8'), name), `${name} (string)`).toEqual(textReading(raw, name));
  });

  it('reads folded Received headers top-down, unfolded, and stops at the empty line', () => {
    const raw = Buffer.from(MESSAGES['CRLF, folded Received headers, body lines that look like fields']);
    expect(headerValues(raw, 'received')).toEqual([
      'from h2.mailhop.test (h2.mailhop.test [127.0.0.1]) by h3.mailhop.test (mailhop) with ESMTPS id 2 for <bob@partner.test>; Mon, 7 Dec 2026 12:00:00 +0000',
      'from h1.mailhop.test (h1.mailhop.test [127.0.0.1]) by h2.mailhop.test (mailhop) with ESMTPS id 1 for <bob@partner.test>; Mon, 7 Dec 2026 12:00:00 +0000',
    ]);
    expect(headerValue(raw, 'X-Mailhop-Id')).toBe('m1');
    expect(headerValue(raw, 'TLS-Required')).toBeUndefined();
  });

  it('reads the 1,000 Received headers of a message at the end of a 1,000-hop chain, each once, in order', () => {
    const raw = Buffer.from(`${Array.from({ length: 1000 }, (_, i) => received(1000 - i)).join('')}X-Mailhop-Id: m1\r\n\r\nbody\r\n`);
    const values = headerValues(raw, 'Received');
    expect(values).toHaveLength(1000);
    expect(values[0]).toContain('by h1001.mailhop.test');
    expect(values[999]).toContain('from h1.mailhop.test');
    expect(values).toEqual(textReading(raw, 'Received'));
    expect(headerValues(raw, 'X-Mailhop-Id')).toEqual(['m1']);
  });
});
