/**
 * Where the web view listens: 127.0.0.1 only. The page shows message envelopes, Received headers and
 * SMTP transcripts, so it is never offered to other machines; any other address is refused, not rewritten.
 */
import { MailhopError } from '../errors.js';

/** The web view's address. */
export interface WebAddress {
  host: '127.0.0.1';
  /** 0 asks the kernel for a free port. */
  port: number;
}

/** Port of the web view when `--web` gives none (Mailpit's web UI port, so it is where people look). */
export const DEFAULT_WEB_PORT = 8025;

/**
 * Reads `--web [address]`: nothing (`true`, the flag alone) for 127.0.0.1:8025, a port (`8080`, `0` for any
 * free one), or `127.0.0.1:<port>`.
 * @throws MailhopError `ELOOPBACK` for another host (`0.0.0.0`, `localhost`, `::1`, a LAN address); `EUSAGE` for a bad port.
 * @example parseWebAddress('8080') // { host: '127.0.0.1', port: 8080 }
 */
export function parseWebAddress(value: string | true): WebAddress {
  if (value === true) return { host: '127.0.0.1', port: DEFAULT_WEB_PORT };
  const m = value.match(/^(?:(.*):)?(\d{1,5})$/);
  const where = `--web ${value}`;
  if (!m) throw MailhopError.of('EUSAGE', { where, what: 'read it as an address', why: 'expected a port (8025) or 127.0.0.1:<port>' });
  const [, host, digits] = m;
  if (host !== undefined && host !== '127.0.0.1') {
    throw MailhopError.of('ELOOPBACK', { where, what: `serve the web view on ${host}`, why: 'it listens on 127.0.0.1 only (it shows messages and transcripts)' });
  }
  const port = Number(digits);
  if (port > 65535) throw MailhopError.of('EUSAGE', { where, what: `listen on port ${port}`, why: 'a port is within 0..65535' });
  return { host: '127.0.0.1', port };
}

/**
 * Checks an address given through the API.
 * @throws MailhopError `ELOOPBACK` for any host but 127.0.0.1.
 */
export function assertWebHost(host: string): asserts host is '127.0.0.1' {
  if (host !== '127.0.0.1') throw MailhopError.of('ELOOPBACK', { where: 'web view', what: `serve it on ${host}`, why: 'it listens on 127.0.0.1 only (it shows messages and transcripts)' });
}
