/**
 * What each real client did against each scenario of scenarios/clients/ (test/support/smtp-clients.ts), as
 * client-profiles.test.ts measures it: the submission link's verdict, judged from the wire and the first hop, with
 * "password in clear" when the wire saw AUTH credentials outside TLS, and whether the scenario's claim (what a client
 * that never sends in clear does) held. Observed 2026-12-07 on Debian 12 with nodemailer 10.6.1, Python 3.11.2 smtplib,
 * aiosmtplib 2.0.0 (python3-aiosmtplib), swaks 20201014.0 and curl 7.88.1; the README's table shows the same.
 */
/** A row where every client did the same. */
function everyClient(cell: { observed: string; claimHeld: boolean }): Record<string, { observed: string; claimHeld: boolean }> {
  return Object.fromEntries(CLIENT_NAMES.map((name) => [name, cell]));
}

const CLIENT_NAMES = ['nodemailer (default)', 'nodemailer requireTLS', 'smtplib starttls if offered', 'smtplib starttls always', 'aiosmtplib starttls if offered', 'aiosmtplib starttls always', 'swaks --tls-optional', 'swaks --tls', 'curl --ssl', 'curl --ssl-reqd'];

export const PROFILES: Record<string, Record<string, { observed: string; claimHeld: boolean }>> = {
  'app-auth-before-tls-stripped': {
    'nodemailer (default)': { observed: 'stripped (password in clear)', claimHeld: false },
    'nodemailer requireTLS': { observed: 'tls', claimHeld: false },
    'smtplib starttls if offered': { observed: 'stripped (password in clear)', claimHeld: false },
    'smtplib starttls always': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'stripped (password in clear)', claimHeld: false },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: true },
    'swaks --tls-optional': { observed: 'stripped (password in clear)', claimHeld: false },
    'swaks --tls': { observed: 'refused', claimHeld: true },
    'curl --ssl': { observed: 'stripped (password in clear)', claimHeld: false },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: true },
  },
  'app-expired-cert': {
    'nodemailer (default)': { observed: 'refused', claimHeld: true },
    'nodemailer requireTLS': { observed: 'refused', claimHeld: true },
    'smtplib starttls if offered': { observed: 'refused', claimHeld: true },
    'smtplib starttls always': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: true },
    'swaks --tls-optional': { observed: 'tls', claimHeld: false },
    'swaks --tls': { observed: 'tls', claimHeld: false },
    'curl --ssl': { observed: 'refused', claimHeld: true },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: true },
  },
  'app-first-connection-killed': everyClient({ observed: 'refused', claimHeld: true }),
  'app-handshake-fails': everyClient({ observed: 'refused', claimHeld: true }),
  'app-injected-response': {
    'nodemailer (default)': { observed: 'tls', claimHeld: true },
    'nodemailer requireTLS': { observed: 'tls', claimHeld: true },
    'smtplib starttls if offered': { observed: 'tls', claimHeld: true },
    'smtplib starttls always': { observed: 'tls', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'refused (believed the injected reply)', claimHeld: false },
    'aiosmtplib starttls always': { observed: 'refused (believed the injected reply)', claimHeld: false },
    'swaks --tls-optional': { observed: 'refused (believed the injected reply)', claimHeld: false },
    'swaks --tls': { observed: 'refused (believed the injected reply)', claimHeld: false },
    'curl --ssl': { observed: 'refused', claimHeld: false },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: false },
  },
  'app-no-starttls-plain': {
    'nodemailer (default)': { observed: 'plain', claimHeld: true },
    'nodemailer requireTLS': { observed: 'refused', claimHeld: false },
    'smtplib starttls if offered': { observed: 'plain', claimHeld: true },
    'smtplib starttls always': { observed: 'refused', claimHeld: false },
    'aiosmtplib starttls if offered': { observed: 'plain', claimHeld: true },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: false },
    'swaks --tls-optional': { observed: 'plain', claimHeld: true },
    'swaks --tls': { observed: 'refused', claimHeld: false },
    'curl --ssl': { observed: 'plain', claimHeld: true },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: false },
  },
  'app-offer-encrypted': everyClient({ observed: 'tls', claimHeld: true }),
  'app-refuses-stripped-starttls': {
    'nodemailer (default)': { observed: 'stripped (password in clear)', claimHeld: false },
    'nodemailer requireTLS': { observed: 'refused', claimHeld: true },
    'smtplib starttls if offered': { observed: 'stripped (password in clear)', claimHeld: false },
    'smtplib starttls always': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'stripped (password in clear)', claimHeld: false },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: true },
    'swaks --tls-optional': { observed: 'stripped (password in clear)', claimHeld: false },
    'swaks --tls': { observed: 'refused', claimHeld: true },
    'curl --ssl': { observed: 'stripped (password in clear)', claimHeld: false },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: true },
  },
  'app-require-plaintext-rejected': {
    'nodemailer (default)': { observed: 'refused', claimHeld: true },
    'nodemailer requireTLS': { observed: 'tls', claimHeld: false },
    'smtplib starttls if offered': { observed: 'refused', claimHeld: true },
    'smtplib starttls always': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: true },
    'swaks --tls-optional': { observed: 'refused', claimHeld: true },
    'swaks --tls': { observed: 'refused', claimHeld: true },
    'curl --ssl': { observed: 'refused', claimHeld: true },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: true },
  },
  'app-starttls-454': {
    'nodemailer (default)': { observed: 'refused', claimHeld: true },
    'nodemailer requireTLS': { observed: 'refused', claimHeld: true },
    'smtplib starttls if offered': { observed: 'refused', claimHeld: true },
    'smtplib starttls always': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: true },
    'swaks --tls-optional': { observed: 'downgraded', claimHeld: false },
    'swaks --tls': { observed: 'refused', claimHeld: true },
    'curl --ssl': { observed: 'downgraded', claimHeld: false },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: true },
  },
  'app-stripped-starttls': {
    'nodemailer (default)': { observed: 'stripped', claimHeld: false },
    'nodemailer requireTLS': { observed: 'tls', claimHeld: false },
    'smtplib starttls if offered': { observed: 'stripped', claimHeld: false },
    'smtplib starttls always': { observed: 'refused', claimHeld: true },
    'aiosmtplib starttls if offered': { observed: 'stripped', claimHeld: false },
    'aiosmtplib starttls always': { observed: 'refused', claimHeld: true },
    'swaks --tls-optional': { observed: 'stripped', claimHeld: false },
    'swaks --tls': { observed: 'refused', claimHeld: true },
    'curl --ssl': { observed: 'stripped', claimHeld: false },
    'curl --ssl-reqd': { observed: 'refused', claimHeld: true },
  },
};

/** The README's columns: the profile's cases, by scenario. */
const COLUMNS: ReadonlyArray<[scenario: string, title: string]> = [
  ['app-stripped-starttls', 'STARTTLS stripped'],
  ['app-starttls-454', '454 to STARTTLS'],
  ['app-handshake-fails', 'handshake fails (alert)'],
  ['app-expired-cert', 'expired certificate'],
  ['app-injected-response', 'replies injected after the 220'],
  ['app-auth-before-tls-stripped', 'AUTH before TLS, STARTTLS stripped'],
  ['app-no-starttls-plain', 'no STARTTLS offered'],
  ['app-require-plaintext-rejected', '`require` hop, STARTTLS stripped'],
];

/** The README's profile table (markdown), one row per client, from {@link PROFILES}. */
export function profileTable(): string {
  const clients = Object.keys(PROFILES['app-offer-encrypted']);
  const rows = clients.map((c) => `| ${c} | ${COLUMNS.map(([s]) => PROFILES[s][c].observed.replace('password in clear', '**password in clear**')).join(' | ')} |`);
  return [`| client | ${COLUMNS.map(([, t]) => t).join(' | ')} |`, `|${'---|'.repeat(COLUMNS.length + 1)}`, ...rows].join('\n');
}

/** One cell of the profile: the submission link's verdict, and what else the wire and the client said. */
export function profileCell(verdict: string, outcome: string, credentials: boolean, clientOk: boolean, believed = false): string {
  const extra = [
    ...(credentials ? ['password in clear'] : []),
    ...(believed ? ['believed the injected reply'] : []),
    ...(outcome === 'delivered' && !clientOk ? ['client reported failure'] : []),
    ...(outcome !== 'delivered' && clientOk ? ['client reported success'] : []),
  ];
  return extra.length ? `${verdict} (${extra.join(', ')})` : verdict;
}
