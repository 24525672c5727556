/**
 * What each real client (test/support/smtp-clients.ts) did against a first hop whose EHLO reply has one of the shapes
 * of `inbound.ehlo` (scenario/ehlo-shape.ts), as ehlo-shapes.test.ts measures it: the submission link's verdict (did it
 * find STARTTLS), with "no AUTH" when the message got in without the client authenticating (the hop's RFC 3848
 * transmission type lacked the A) and "password in clear" when the wire saw AUTH credentials outside TLS. The hop
 * offers STARTTLS and AUTH (PLAIN, LOGIN) after TLS; every client is given credentials. Observed 2026-12-07 on Debian
 * 12 with nodemailer 10.6.1, Python 3.11.2 smtplib, aiosmtplib 2.0.0, swaks 20201014.0 and curl 7.88.1; the README's table shows the same.
 */
import { CLIENTS } from '../support/smtp-clients.js';

/** The shapes, in the README table's order: column title and `inbound.ehlo`. */
export const SHAPES: ReadonlyArray<{ title: string; ehlo: Record<string, unknown> }> = [
  { title: '`250 STARTTLS` last', ehlo: { starttlsLast: true } },
  { title: 'lower case keywords', ehlo: { keywordCase: 'lower' } },
  { title: 'two spaces between words', ehlo: { extraSpaces: true } },
  { title: 'trailing space', ehlo: { trailingSpace: true } },
  { title: '`AUTH=` beside `AUTH`', ehlo: { authEquals: 'also' } },
  { title: '`AUTH=` only', ehlo: { authEquals: 'only' } },
];

const OK = 'tls';
/** One client's row: its cell per shape, in {@link SHAPES} order. */
const row = (...cells: string[]) => cells;

export const EHLO_PROFILES: Record<string, string[]> = {
  'nodemailer (default)': row(OK, OK, OK, OK, OK, OK),
  'nodemailer requireTLS': row(OK, OK, OK, OK, OK, OK),
  'smtplib starttls if offered': row(OK, OK, OK, OK, OK, OK),
  'smtplib starttls always': row(OK, OK, OK, OK, OK, OK),
  'aiosmtplib starttls if offered': row(OK, OK, OK, OK, OK, OK),
  'aiosmtplib starttls always': row(OK, OK, OK, OK, OK, OK),
  'swaks --tls-optional': row(OK, 'refused', OK, 'refused (password in clear)', OK, OK),
  'swaks --tls': row(OK, 'refused', OK, 'refused', OK, OK),
  'curl --ssl': row(OK, 'plain (no AUTH)', OK, OK, OK, 'tls (no AUTH)'),
  'curl --ssl-reqd': row(OK, 'refused', OK, OK, OK, 'tls (no AUTH)'),
};

/** The README's table (markdown): one row per client, one column per shape. */
export function ehloProfileTable(): string {
  const rows = CLIENTS.map((c) => `| ${c.name} | ${EHLO_PROFILES[c.name].map((x) => x.replace('password in clear', '**password in clear**')).join(' | ')} |`);
  return [`| client | ${SHAPES.map((s) => s.title).join(' | ')} |`, `|${'---|'.repeat(SHAPES.length + 1)}`, ...rows].join('\n');
}
