/**
 * SMTP AUTH by mailhop's injecting client (`submit: { auth: plain | login, user, pass }`), RFC 4954 §4, after the last
 * EHLO and before MAIL: PLAIN (RFC 4616) as an initial response on the AUTH line, LOGIN as two 334 round trips
 * (username, then password, base64 each). The client authenticates on whatever the session is at that point: inside
 * TLS, or in clear when its policy went on without TLS (a stripped STARTTLS under `opportunistic`), which the wire
 * witness then reports as credentials crossed in clear (verdict/credential-leaks.ts).
 */
import type { SmtpClient } from './smtp-client.js';
import type { SmtpReply } from './reply-reader.js';
import { advertises } from './smtputf8.js';

/** The client's credentials and mechanism. */
export interface ClientAuth {
  auth: 'plain' | 'login';
  user: string;
  pass: string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * Authenticates; resolves with the server's last reply (235 on success, RFC 4954 §6; a 334 never ends it).
 * @example await authenticate(client, { auth: 'plain', user: 'app', pass: 'secret' }) // { code: 235, ... }
 */
export async function authenticate(client: SmtpClient, credentials: ClientAuth): Promise<SmtpReply> {
  if (credentials.auth === 'plain') return client.command(`AUTH PLAIN ${b64(`\0${credentials.user}\0${credentials.pass}`)}`);
  const start = await client.command('AUTH LOGIN');
  if (start.code !== 334) return start;
  const user = await client.command(b64(credentials.user));
  if (user.code !== 334) return user;
  return client.command(b64(credentials.pass));
}

/** The policy's credentials, when it has them (`submit:` only). */
export function credentialsOf(policy: object): ClientAuth | undefined {
  const p = policy as Partial<ClientAuth>;
  return p.auth && p.user !== undefined && p.pass !== undefined ? { auth: p.auth, user: p.user, pass: p.pass } : undefined;
}

/**
 * AUTH as the policy asks, after the session's last EHLO reply (`ehlo`): null when the policy has no credentials or the
 * server accepted them (235); else the server's refusal, or `{ local }`, the client's own deferral when the server does
 * not list AUTH (RFC 4954 §4: mailhop's client does not guess).
 */
export async function authenticateAsAsked(client: SmtpClient, policy: object, ehlo: SmtpReply, servername: string): Promise<SmtpReply | { local: { code: number; enhanced: string; text: string } } | null> {
  const credentials = credentialsOf(policy);
  if (!credentials) return null;
  if (!advertises(ehlo, 'AUTH')) return { local: { code: 451, enhanced: '4.7.0', text: `AUTH not offered by ${servername}` } };
  const reply = await authenticate(client, credentials);
  return reply.code === 235 ? null : reply;
}
