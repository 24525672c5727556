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
 * @throws MailhopError `EUSAGE` for another host (`0.0.0.0`, `localhost`, `::1`, a LAN address) or a bad port.
 * @example parseWebAddress('8080') // { host: '127.0.0.1', port: 8080 }
 */
export function parseWebAddress(value: string | true): WebAddress {
  if (value === true) return { host: '127.0.0.1', port: DEFAULT_WEB_PORT };
  const m = value.match(/^(?:(.*):)?(\d{1,5})$/);
  if (!m) throw new MailhopError('EUSAGE', `--web ${value}: expected a port (8025) or 127.0.0.1:<port>`);
  const [, host, digits] = m;
  if (host !== undefined && host !== '127.0.0.1') {
    throw new MailhopError('EUSAGE', `--web ${value}: the web view listens on 127.0.0.1 only (it shows messages and transcripts); refusing ${host}`);
  }
  const port = Number(digits);
  if (port > 65535) throw new MailhopError('EUSAGE', `--web ${value}: port ${port} is not within 0..65535`);
  return { host: '127.0.0.1', port };
}

/**
 * Checks an address given through the API.
 * @throws MailhopError `ECHAIN` for any host but 127.0.0.1.
 */
export function assertWebHost(host: string): asserts host is '127.0.0.1' {
  if (host !== '127.0.0.1') throw new MailhopError('ECHAIN', `refusing to serve the web view on ${host}: it listens on 127.0.0.1 only`);
}
