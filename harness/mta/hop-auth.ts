/**
 * SMTP AUTH on a mock hop (`inbound.auth`, RFC 4954): smtp-server's options for it, and the commands it disables.
 * PLAIN and LOGIN, any user and password: mailhop tests whether credentials cross in clear, not who they are.
 */
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { Inbound } from '../scenario/schema.js';

/** Whether the hop's server takes AUTH: as `inbound.auth` says, and without STARTTLS only when it takes AUTH in clear. */
function authOffered(auth: Inbound['auth'], mode: string): boolean {
  return auth === 'always' || (auth === 'after-tls' && mode !== 'none');
}

/**
 * The smtp-server options for `inbound.auth` under the hop's STARTTLS `mode` (`none` disables STARTTLS too). `after-tls`
 * keeps smtp-server's own rule: AUTH before STARTTLS gets `538 5.7.0 Error: Must issue a STARTTLS command first`.
 */
export function hopAuthOptions(auth: Inbound['auth'], mode: string): Partial<SMTPServerOptions> {
  return {
    disabledCommands: [...(authOffered(auth, mode) ? [] : ['AUTH']), ...(mode === 'none' ? ['STARTTLS'] : [])],
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: auth === 'always',
    onAuth(login: { username?: string }, _session: SMTPServerSession, callback: (err: Error | null | undefined, response?: { user: string }) => void) {
      callback(null, { user: login.username ?? '' });
    },
  } as Partial<SMTPServerOptions>;
}
