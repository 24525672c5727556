/**
 * `inbound.ehlo` (scenario/ehlo-shape.ts): a mock hop's EHLO reply in the shapes real servers use, as it crossed the
 * link (the wire witness's transcript), and what mailhop's own client and the strip-starttls fault make of each.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs, type InlineRun } from '../support/chain.js';
import { dialog } from '../support/dialog.js';

const LINK = 'client->mx';
const GREETING = '250-mx.mailhop.test Nice to meet you, [127.0.0.1]';

/** mailhop's client submits (AUTH PLAIN when `auth`) to `mx`, whose EHLO reply has `ehlo`'s shape. */
function shaped(ehlo: object, more: { auth?: boolean; strip?: boolean } = {}): Promise<InlineRun> {
  return runInline({
    submit: { tls: 'opportunistic', ...(more.auth ? { auth: 'plain', user: 'app', pass: 's3cret' } : {}) },
    hops: [{ id: 'mx', inbound: { ...(more.auth ? { auth: 'after-tls' } : {}), ehlo } }],
    ...(more.strip ? { links: [{ from: 'client', to: 'mx', fault: 'strip-starttls' as const }] } : {}),
  });
}

/** The first EHLO reply as it crossed the wire, line by line, codes included. */
function ehloOnWire(run: InlineRun): string[] {
  const t = run.wire(LINK)[0].transcript;
  const from = t.findIndex((l) => l.text === GREETING);
  const to = t.findIndex((l, i) => i > from && /^250 /.test(l.text));
  return t.slice(from, to + 1).map((l) => l.text);
}

describe('the shape of a hop\'s EHLO reply', () => {
  it('absent: smtp-server\'s own reply', async () => {
    const run = await shaped({}, { auth: true });
    expect(ehloOnWire(run)).toEqual([GREETING, '250-PIPELINING', '250-8BITMIME', '250-SMTPUTF8', '250-ENHANCEDSTATUSCODES', '250-AUTH PLAIN LOGIN', '250-STARTTLS', '250 SIZE 10485760']);
  });

  it('starttlsLast: STARTTLS on the last line; mailhop\'s client finds it and submits over TLS', async () => {
    const run = await shaped({ starttlsLast: true });
    expect(ehloOnWire(run).slice(-2)).toEqual(['250-SIZE 10485760', '250 STARTTLS']);
    expect(run.wire(LINK)[0].starttlsAdvertised).toBe(true);
    expect([verbs(run.wire(LINK)[0]), run.report.links[0].verdict]).toEqual([['EHLO', 'STARTTLS'], 'tls']);
  });

  it('keywordCase lower, extraSpaces, trailingSpace, authEquals also: each crosses as written, and TLS and AUTH still happen', async () => {
    const run = await shaped({ keywordCase: 'lower', extraSpaces: true, trailingSpace: true, authEquals: 'also' }, { auth: true });
    expect(ehloOnWire(run)).toEqual([
      GREETING, '250-pipelining ', '250-8bitmime ', '250-smtputf8 ', '250-enhancedstatuscodes ',
      '250-auth  PLAIN  LOGIN ', '250-auth=PLAIN  LOGIN ', '250-starttls ', '250 size  10485760 ',
    ]);
    expect(run.report.links[0].verdict, dialog(run.wire(LINK)[0])).toBe('tls');
    // RFC 3848: ESMTPSA, the hop took the client's AUTH inside TLS.
    expect(run.events.find((e) => e.kind === 'accepted')).toMatchObject({ protocol: 'ESMTPSA' });
  });

  it('authEquals only: the old `AUTH=` form alone; mailhop\'s client takes it as AUTH', async () => {
    const run = await shaped({ authEquals: 'only' }, { auth: true });
    expect(ehloOnWire(run)).toContain('250-AUTH=PLAIN LOGIN');
    expect(ehloOnWire(run).some((l) => /AUTH /.test(l))).toBe(false);
    expect(run.events.find((e) => e.kind === 'accepted')).toMatchObject({ protocol: 'ESMTPSA' });
  });

  it('the shape holds inside TLS too (the EHLO after STARTTLS, RFC 3207 §4.2)', async () => {
    const run = await shaped({ keywordCase: 'lower' });
    const session = run.sessions(LINK)[0].transcript.map((l) => l.text);
    const afterTls = session.slice(session.findIndex((l) => l.startsWith('TLS established')));
    expect(afterTls).toContain('250-pipelining');
    expect(afterTls).not.toContain('250-starttls'); // not offered again inside TLS (RFC 3207 §4.2)
  });

  it('strip-starttls still removes a last, lower-case STARTTLS with a trailing space, and keeps the reply well formed', async () => {
    const run = await shaped({ starttlsLast: true, keywordCase: 'lower', trailingSpace: true }, { strip: true });
    expect(ehloOnWire(run).slice(-2)).toEqual(['250-enhancedstatuscodes ', '250 size 10485760 ']);
    expect(run.report.links[0].verdict).toBe('stripped');
  });
});
