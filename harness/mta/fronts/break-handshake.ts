/**
 * A front that accepts STARTTLS with `220 2.0.0 Ready to start TLS` and then breaks the TLS
 * handshake (docs/behaviour.md#S-break-handshake). The honest server behind
 * it never sees the command; its connection is dropped.
 */
import { HANDSHAKE_FAILURE_ALERT } from '../../link/tls-names.js';
import type { BreakHow } from '../../scenario/schema.js';
import type { FrontBehaviour, TakenOverConnection } from './front-runner.js';

/** Postfix's (and Sendmail's) reply to STARTTLS. */
export const READY_TO_START_TLS = '220 2.0.0 Ready to start TLS';


/**
 * What a server that never switched to TLS would say to a ClientHello read as a command line. Its
 * first bytes are no TLS record header, so OpenSSL fails with "wrong version number".
 */
export const PLAINTEXT_GARBAGE = Buffer.from('500 5.5.2 Error: bad syntax\r\n', 'latin1');

/**
 * Answers STARTTLS with 220, then on the client's first TLS bytes (its ClientHello):
 * `close` sends FIN, `alert` sends {@link HANDSHAKE_FAILURE_ALERT} then FIN, `garbage` sends
 * {@link PLAINTEXT_GARBAGE} then FIN, `stall` reads and discards everything until the client
 * gives up (its handshake timeout).
 */
export function breakHandshakeFront(how: BreakHow): FrontBehaviour {
  return {
    name: `break-handshake:${how}`,
    onStarttls: () => ({ takeOver: (connection) => breakHandshake(connection, how) }),
  };
}

function breakHandshake({ client, inner, pipelined }: TakenOverConnection, how: BreakHow): void {
  inner.destroy();
  client.write(`${READY_TO_START_TLS}\r\n`);
  let acted = false;
  const onClientHello = () => {
    if (acted) return;
    acted = true;
    if (how === 'close') client.end();
    else if (how === 'alert') client.end(HANDSHAKE_FAILURE_ALERT);
    else if (how === 'garbage') client.end(PLAINTEXT_GARBAGE);
    // stall: nothing, ever; the client's timeout ends the connection.
  };
  // Bytes pipelined after STARTTLS break RFC 3207 §4 ("MUST start the TLS handshake before sending
  // any other command"); they stand for the ClientHello here.
  if (pipelined.length > 0) onClientHello();
  client.on('data', onClientHello);
  client.resume();
}
