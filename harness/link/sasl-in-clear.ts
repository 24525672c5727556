/**
 * Credentials of an SMTP AUTH exchange (RFC 4954) that cross a link outside TLS. The wire witness feeds it the
 * plaintext AUTH commands and the SASL responses after a 334 (smtp-dialogue.ts) and records what gave the secret
 * away: PLAIN's response (RFC 4616 §2: authzid NUL authcid NUL passwd, base64), LOGIN's username and password lines
 * (base64 each, the draft-murchison-sasl-login exchange), or an XOAUTH2 / OAUTHBEARER bearer token (RFC 7628), whether
 * sent as an initial response on the AUTH line (RFC 4954 §4) or after a 334. Mechanisms that never send the secret
 * (CRAM-MD5, SCRAM-*) record nothing. The password itself is never kept, only that it crossed and for which user.
 */

/** One credential that crossed in clear, for a wire record. */
export interface CredentialsInClear {
  /** The SASL mechanism, upper case: `PLAIN`, `LOGIN`, `XOAUTH2`, `OAUTHBEARER`. */
  mechanism: string;
  /** What crossed: the secret (`password`: a password or a bearer token) or only the `username` (LOGIN's first line). */
  what: 'password' | 'username';
  /** The authentication identity, when the exchange names it (PLAIN's authcid, LOGIN's username); at most 200 chars. */
  user?: string;
}

/** Mechanisms whose responses carry the secret itself. */
const SECRET_BEARING = new Set(['PLAIN', 'LOGIN', 'XOAUTH2', 'OAUTHBEARER']);

const decode = (b64: string): string => Buffer.from(b64.trim(), 'base64').toString('utf8');
const short = (user: string): string => user.slice(0, 200);

/**
 * Follows the AUTH exchanges of one connection's plaintext phase.
 * @example
 * const sasl = new SaslInClear();
 * sasl.command('AUTH', 'PLAIN AGFwcABzZWNyZXQ='); // { mechanism: 'PLAIN', what: 'password', user: 'app' }
 */
export class SaslInClear {
  /** The mechanism of the exchange in progress, and the SASL responses it has had. */
  #mechanism?: string;
  #responses = 0;
  #user?: string;

  /** A plaintext command: an AUTH line starts an exchange (its initial response may carry the credentials). */
  command(verb: string, arg: string): CredentialsInClear | undefined {
    this.#mechanism = undefined;
    if (verb !== 'AUTH') return undefined;
    const [mechanism = '', initial] = arg.trim().split(/\s+/);
    const name = mechanism.toUpperCase();
    if (!SECRET_BEARING.has(name)) return undefined;
    this.#mechanism = name;
    this.#responses = 0;
    this.#user = undefined;
    // RFC 4954 §4: `=` is an empty initial response.
    return initial && initial !== '=' ? this.#response(initial) : undefined;
  }

  /** A SASL response line after a 334 (RFC 4954 §4); `*` cancels the exchange. */
  response(text: string): CredentialsInClear | undefined {
    if (!this.#mechanism) return undefined;
    if (text.trim() === '*') {
      this.#mechanism = undefined;
      return undefined;
    }
    return this.#response(text);
  }

  #response(b64: string): CredentialsInClear | undefined {
    const mechanism = this.#mechanism!;
    const n = ++this.#responses;
    if (mechanism === 'PLAIN') {
      const [, authcid = '', passwd = ''] = decode(b64).split('\0');
      this.#mechanism = undefined;
      return passwd || authcid ? { mechanism, what: 'password', user: short(authcid) } : undefined;
    }
    if (mechanism === 'LOGIN') {
      if (n === 1) {
        this.#user = short(decode(b64));
        return { mechanism, what: 'username', user: this.#user };
      }
      this.#mechanism = undefined;
      return { mechanism, what: 'password', ...(this.#user !== undefined ? { user: this.#user } : {}) };
    }
    // XOAUTH2 (`user=<u>^Aauth=Bearer <token>^A^A`) and OAUTHBEARER (RFC 7628 §3.1, `n,a=<u>,^Aauth=Bearer ...`).
    this.#mechanism = undefined;
    const user = /(?:^|\x01)user=([^\x01]*)/.exec(decode(b64))?.[1] ?? /^n,a=([^,]*),/.exec(decode(b64))?.[1];
    return { mechanism, what: 'password', ...(user ? { user: short(user) } : {}) };
  }
}
