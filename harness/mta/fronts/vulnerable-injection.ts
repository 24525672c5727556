/**
 * A front with the STARTTLS command injection flaw (CVE-2011-0411 class; docs/behaviour.md#S-vulnerable-injection,
 * A-inject-command; Poddebniak et al., "Why TLS is better without STARTTLS", 2021). A correct server discards
 * plaintext that arrived after STARTTLS (RFC 3207 §4.2; Postfix 2.7.3 `vstream_fpurge`). This
 * one keeps it: it answers 220, terminates TLS itself with the hop's certificate, and then feeds
 * the kept plaintext to the hop's server *inside* TLS, ahead of the client's own commands, so
 * their replies reach the client encrypted, as if it had sent them.
 *
 * The honest server behind the front speaks TLS too (the front upgrades its inner connection,
 * mirroring the version and cipher the client negotiated), so the receiving hop records the
 * session as the client's: `ESMTPS` with the same suite.
 */
import tls from 'node:tls';
import { parseReplyLine } from '../../link/smtp-syntax.js';
import type { FrontBehaviour, TakenOverConnection } from './front-runner.js';
import { READY_TO_START_TLS } from './break-handshake.js';

/** Lines recorded per injection, and characters per line. */
const MAX_COMMANDS = 100;
const MAX_COMMAND = 200;

/** Options of {@link vulnerableInjectionFront}. */
export interface VulnerableInjectionOptions {
  /** The hop's server-side TLS: key and certificate (PEM), and its versions and ciphers, as its honest server has them. */
  tls: tls.SecureContextOptions;
  /**
   * Told when plaintext commands from before the handshake were executed inside TLS.
   * @param commands the command lines, in order, without CRLF (each cut at 200 characters)
   * @param clientPort the port the client connected to the front from, which the hop records as its peer's
   *   port (`AcceptedEvent.remotePort` of messages on the connection)
   */
  onInjection(commands: string[], clientPort: number): void;
}

/**
 * The vulnerable STARTTLS: 220, TLS with the hop's certificate, then the pipelined plaintext is
 * executed inside TLS. Without pipelined bytes it behaves like an honest `offer` hop.
 */
export function vulnerableInjectionFront(options: VulnerableInjectionOptions): FrontBehaviour {
  const context = tls.createSecureContext(options.tls);
  return {
    name: 'vulnerable-injection',
    onStarttls: () => ({ takeOver: (connection) => upgradeKeepingPlaintext(connection, context, options.onInjection) }),
  };
}

function upgradeKeepingPlaintext(
  { client, inner, pipelined, own }: TakenOverConnection,
  secureContext: tls.SecureContext,
  onInjection: VulnerableInjectionOptions['onInjection'],
): void {
  const clientPort = client.remotePort ?? 0;
  const fail = () => {
    client.destroy();
    inner.destroy();
  };
  const innerReady = innerStarttls(inner);
  // The TLS socket must exist before the ClientHello arrives, as in any STARTTLS server; it is
  // created right after the 220 is written, in the same tick.
  client.write(`${READY_TO_START_TLS}\r\n`);
  const outer = new tls.TLSSocket(client, { isServer: true, secureContext });
  own(outer);
  let innerTls: tls.TLSSocket | undefined;
  outer.on('error', fail);
  outer.once('close', () => {
    innerTls?.destroy();
    inner.destroy();
  });
  outer.once('secure', async () => {
    const innerOk = await innerReady;
    if (!innerOk || outer.destroyed) return fail();
    const cipher = outer.getCipher();
    const version = outer.getProtocol() as tls.SecureVersion | null;
    innerTls = tls.connect({
      socket: inner,
      rejectUnauthorized: false,
      ...(version ? { minVersion: version, maxVersion: version } : {}),
      // TLS 1.3 suite names cannot carry @SECLEVEL; older suites may be weak on purpose (eNULL).
      ...(cipher ? { ciphers: version === 'TLSv1.3' ? cipher.name : `${cipher.name}:@SECLEVEL=0` } : {}),
    });
    const upgraded = innerTls;
    own(upgraded);
    upgraded.on('error', fail);
    upgraded.once('secureConnect', () => {
      const commands = commandLines(pipelined);
      if (commands.length > 0) onInjection(commands, clientPort);
      // The flaw: plaintext read before the handshake is executed as if it had come inside TLS.
      if (pipelined.length > 0) upgraded.write(pipelined);
      outer.pipe(upgraded);
      upgraded.pipe(outer);
    });
  });
}

/** Sends STARTTLS to the honest server and resolves whether it answered 220 (its reply is not relayed). */
function innerStarttls(inner: TakenOverConnection['inner']): Promise<boolean> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const lf = text.indexOf('\n');
      if (lf < 0) return;
      inner.off('data', onData);
      inner.off('close', onClose);
      inner.pause();
      const reply = parseReplyLine(text.slice(0, lf).replace(/\r$/, ''));
      resolve(reply?.code === 220 && reply.last);
    };
    const onClose = () => resolve(false);
    inner.on('data', onData);
    inner.once('close', onClose);
    inner.write('STARTTLS\r\n');
    inner.resume();
  });
}

function commandLines(bytes: Buffer): string[] {
  return bytes
    .toString('latin1')
    .split('\n')
    .map((line) => line.replace(/\r$/, '').slice(0, MAX_COMMAND))
    .filter((line) => line.length > 0)
    .slice(0, MAX_COMMANDS);
}
