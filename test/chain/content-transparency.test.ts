/**
 * Message content crosses a chain unchanged: random bodies full of what SMTP's framing is made of (bare
 * CR, bare LF, lone dots, `.` CRLF, the end-of-data sequence, NUL, 8-bit bytes, lines of 998 and more
 * characters) are sent by hand into a 7-hop mock chain (plaintext and TLS links, a front, faults on two
 * links, a different Received format per hop) and must arrive in the final mailbox exactly as submitted,
 * behind the trace headers the hops prepend.
 *
 * What SMTP itself changes, and nothing else: a bare LF is a line end and travels as CRLF (RFC 5321
 * §2.3.8), and content that does not end in CRLF gets one (the CRLF before the final `.` is part of the
 * content, RFC 5321 §4.1.1.4). Both happen once, at submission; every relay after it is the identity.
 *
 * Seeded: `MAILHOP_FUZZ_SEED` (default 1) and `MAILHOP_FUZZ_RUNS` (random bodies, default 40) reproduce
 * or widen a run; a failure names the seed and the case.
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { SmtpClient } from '../../harness/mta/smtp-client.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { prng } from '../support/fuzz-streams.js';

const SEED = Number(process.env.MAILHOP_FUZZ_SEED ?? 1);
const RUNS = Number(process.env.MAILHOP_FUZZ_RUNS ?? 40);

const scenario = Scenario.parse({
  name: 'content-transparency',
  hops: [
    { id: 'h1', inbound: { received: 'postfix' } }, // the submission itself is plaintext
    { id: 'h2', inbound: { starttls: 'none', received: 'exim' } },
    { id: 'h3', inbound: { starttls: 'fake-454', received: 'sendmail' } }, // a front relays the content
    { id: 'h4', inbound: { received: 'opensmtpd' } },
    { id: 'h5', inbound: { starttls: 'hidden', received: 'exchange' } },
    { id: 'h6', inbound: { starttls: 'require' } },
    { id: 'h7', inbound: { received: 'gmail' } },
  ],
  links: [
    { from: 'h3', to: 'h4', fault: 'delay', ms: 1 }, // TLS bytes through a link's fault pipeline
    { from: 'h6', to: 'h7', fault: 'strip-starttls' }, // plaintext content through it
  ],
  messages: [{ from: 'alice@org.test', to: ['bob@partner.test'] }],
});

/** Bodies that once broke, or sit at an edge of the framing. */
const NAMED: string[] = [
  'price\r.99', // a dot after a bare CR: once grew a dot per relay
  '\r\n.\r\nQUIT\r\n', // the end-of-data sequence inside the content
  '.\r\n..\r\n...\r\n.',
  '\n.\n..\n', // dots after bare LFs
  `${'a'.repeat(998)}\r\n${'b'.repeat(999)}\r\n${'c'.repeat(1000)}\r\n${'d'.repeat(5000)}`,
  '\x00\x00\r\x00\n\x00',
  Array.from({ length: 256 }, (_, b) => String.fromCharCode(b)).join(''),
  'no final line end',
  'ends in a bare CR\r',
  '\r\n\r\n\r\n',
  '',
];

/** Pieces of a random body, each picked with the same chance. */
const ATOMS: Array<(r: () => number) => string> = [
  () => '\r',
  () => '\n',
  () => '\r\n',
  () => '.',
  () => '..',
  () => '.\r\n',
  () => '\r\n.\r\n',
  () => '\r\n..',
  () => '\r.',
  () => '\n.',
  () => '\x00',
  () => ' ',
  () => '\t',
  (r) => chars(r, 1 + Math.floor(r() * 8), 0x80, 0xff),
  (r) => chars(r, 1 + Math.floor(r() * 4), 0x00, 0xff),
  (r) => chars(r, 1 + Math.floor(r() * 20), 0x21, 0x7e),
  (r) => chars(r, 990 + Math.floor(r() * 120), 0x21, 0x7e), // lines around the 998 + CRLF limit
];

function chars(r: () => number, n: number, lo: number, hi: number): string {
  return Array.from({ length: n }, () => String.fromCharCode(lo + Math.floor(r() * (hi - lo + 1)))).join('');
}

function randomBody(r: () => number): string {
  return Array.from({ length: Math.floor(r() * 120) }, () => ATOMS[Math.floor(r() * ATOMS.length)](r)).join('');
}

/** The content as SMTP delivers it (module docstring): each bare LF preceded by CR, a final CRLF added if missing. */
function asDelivered(content: string): string {
  let out = '';
  for (let i = 0; i < content.length; i++) out += content[i] === '\n' && content[i - 1] !== '\r' ? '\r\n' : content[i];
  return out.endsWith('\r\n') ? out : `${out}\r\n`;
}

/** The trace headers in front of the submitted content: one Received per hop, then the id the chain issued (and its seal, under `up`). */
const TRACE = new RegExp(`^(?:Received:[^\\r\\n]*\\r\\n(?:[ \\t][^\\r\\n]*\\r\\n)*){${scenario.hops.length}}X-Mailhop-Id: [^\\r\\n]+\\r\\n(?:X-Mailhop-Seal: [^\\r\\n]+\\r\\n)?$`);

describe('message content through a 7-hop chain', () => {
  it(`arrives byte for byte as submitted, apart from the trace headers (seed ${SEED}, ${RUNS} random bodies)`, async () => {
    const r = prng(SEED);
    const bodies = [...NAMED, ...Array.from({ length: RUNS }, () => randomBody(r))];
    const contents = bodies.map((body, k) => `X-Case: ${k};\r\n${body}`);

    await using chain = await startChain(scenario, { stampMissingId: true });
    const client = await SmtpClient.connect({ ...chain.hops[0].proxy, ehloName: 'client.mailhop.test', timeoutMs: 10_000, servername: 'h1.mailhop.test', ca: [] });
    const dialog = () => client.transcript.map((l) => `${l.dir}: ${l.text}`).join('\n');
    expect((await client.readReply()).code).toBe(220);
    expect((await client.command('EHLO client.mailhop.test')).code).toBe(250);
    for (const content of contents) {
      expect((await client.command('MAIL FROM:<alice@org.test>')).code, dialog()).toBe(250);
      expect((await client.command('RCPT TO:<bob@partner.test>')).code, dialog()).toBe(250);
      expect((await client.command('DATA')).code, dialog()).toBe(354);
      expect((await client.sendData(Buffer.from(content, 'latin1'))).code, dialog()).toBe(250);
    }
    await client.quit();
    expect(await chain.settle()).toBe('done');

    const mailbox = chain.mailbox().map((m) => m.raw.toString('latin1'));
    expect(mailbox).toHaveLength(contents.length);
    contents.forEach((content, k) => {
      const case_ = `seed ${SEED}, case ${k}: ${JSON.stringify(content)}`;
      const raw = mailbox.find((m) => m.includes(`X-Case: ${k};\r\n`));
      expect(raw, case_).toBeDefined();
      const start = (raw as string).indexOf(`X-Case: ${k};\r\n`);
      expect((raw as string).slice(start), case_).toBe(asDelivered(content));
      expect((raw as string).slice(0, start), case_).toMatch(TRACE);
    });
    // The content crossed TLS and plaintext links, as the chain was built to make it.
    const tlsLinks = new Set(chain.events().flatMap((e) => (e.kind === 'wire' && e.record.handshake === 'established' ? [e.link] : [])));
    const plaintextLinks = new Set(chain.events().flatMap((e) => (e.kind === 'wire' && e.record.plaintextData ? [e.link] : [])));
    expect([...tlsLinks].sort()).toEqual(['h3->h4', 'h5->h6']);
    expect([...plaintextLinks].sort()).toEqual(['client->h1', 'h1->h2', 'h2->h3', 'h4->h5', 'h6->h7']);
  }, 120_000);
});
