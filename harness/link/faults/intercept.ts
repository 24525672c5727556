/**
 * intercept (docs/behaviour.md#A-intercept, a TLS-interception proxy): after the 220 to STARTTLS (or from byte 0
 * on an implicit-TLS link) the fault terminates the client's TLS itself, with a certificate for the
 * server's name signed by a CA nobody in the run trusts, opens its own TLS session to the server,
 * and relays the decrypted SMTP between the two. Both legs are encrypted; the middle is not.
 * Clients that do not check certificates (opportunistic, mandatory) go on unaware; only a client
 * that verifies notices (RFC 8460 `certificate-not-trusted`).
 */
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { z } from 'zod';
import type { KeyCert } from '../../pki/run-pki.js';
import type { LinkFault, LinkFaultIo } from '../link-fault.js';
import { attemptsKey, linkKeys, NOTHING } from './fault-common.js';

export const InterceptSpec = z.strictObject({ ...linkKeys, fault: z.literal('intercept'), ...attemptsKey });

/** How long a closing side waits for the other leg to flush, ms. */
const FLUSH_LIMIT_MS = 1_000;

/**
 * @param servername the server's hostname (SNI towards it, and the name in the attacker certificate)
 * @param attacker the attacker's key and certificate
 * @example { from: gateway, to: mailbox, fault: intercept }
 */
export function intercept(servername: string, attacker: KeyCert): LinkFault {
  return {
    name: 'intercept',
    open(context) {
      let legs: Legs | undefined;
      return {
        tls(dir, chunk) {
          legs ??= new Legs(context.io, servername, attacker);
          legs.push(dir, chunk);
          return { forward: NOTHING, silent: true };
        },
        end: (side) => legs?.end(side),
      };
    },
  };
}

/** The two TLS sessions of one intercepted connection, each over an in-memory stream. */
class Legs {
  /** Carries the client's TLS records in and the attacker's records out. */
  readonly #towardClient: Duplex;
  readonly #towardServer: Duplex;
  /** The attacker as TLS server, facing the client. */
  readonly #clientLeg: tls.TLSSocket;
  /** The attacker as TLS client, facing the server. */
  readonly #serverLeg: tls.TLSSocket;
  readonly #io: LinkFaultIo;
  #clientSecure = false;

  constructor(io: LinkFaultIo, servername: string, attacker: KeyCert) {
    this.#io = io;
    this.#towardClient = wireStream((bytes) => io.toClient(bytes));
    this.#towardServer = wireStream((bytes) => io.toServer(bytes));
    this.#clientLeg = new tls.TLSSocket(this.#towardClient, { isServer: true, key: attacker.key, cert: attacker.cert });
    this.#serverLeg = tls.connect({ socket: this.#towardServer, servername, rejectUnauthorized: false });

    // The two handshakes run at once and may end in either order (the client's first when the sender runs in another
    // thread); the server leg's note comes first whichever does, so the record reads the same on every runtime.
    let serverLegSettled!: () => void;
    const serverLegDone = new Promise<void>((resolve) => (serverLegSettled = resolve));
    this.#serverLeg.once('close', serverLegSettled);
    this.#clientLeg.once('secure', () => {
      this.#clientSecure = true;
      const cert = this.#clientLeg.getCertificate() as tls.PeerCertificate | null;
      const note = `ended the client's TLS with an attacker certificate (CN=${cert?.subject?.CN}, issuer ${cert?.issuer?.CN}): ${session(this.#clientLeg)}`;
      void serverLegDone.then(() => io.record({ dir: 'C', action: 'intercept', effect: 'tls-intercepted', note }));
    });
    this.#serverLeg.once('secureConnect', () => {
      const cert = this.#serverLeg.getPeerCertificate();
      io.record({
        dir: 'S', action: 'intercept', effect: 'tls-intercepted',
        note: `opened its own TLS session to the server (certificate CN=${cert?.subject?.CN}, issuer ${cert?.issuer?.CN}): ${session(this.#serverLeg)}`,
      });
      serverLegSettled();
    });
    // The decrypted SMTP dialogue, relayed both ways.
    this.#clientLeg.on('data', (plain: Buffer) => this.#serverLeg.write(plain));
    this.#serverLeg.on('data', (plain: Buffer) => this.#clientLeg.write(plain));
    const failed = (leg: 'client' | 'server') => (error: Error & { code?: string }) => {
      io.record({ dir: leg === 'client' ? 'C' : 'S', action: 'error', note: `${leg}-side TLS failed: ${error.code ?? error.message}` });
      if (leg === 'server') serverLegSettled();
      io.close('end');
    };
    this.#clientLeg.on('error', failed('client'));
    this.#serverLeg.on('error', failed('server'));
  }

  push(dir: 'C' | 'S', chunk: Buffer): void {
    (dir === 'C' ? this.#towardClient : this.#towardServer).push(chunk);
  }

  /** A side closed: deliver what its leg still holds to the other side, then close that leg too. */
  async end(side: 'client' | 'server'): Promise<void> {
    if (side === 'client' && !this.#clientSecure) {
      // Node verifies after the handshake and then just closes, without an alert.
      this.#io.record({ dir: 'C', action: 'abandoned', note: "the client left before its TLS session with the interceptor was up (it may have refused the attacker's certificate)" });
    }
    const [from, closing, other] = side === 'client'
      ? [this.#towardClient, this.#clientLeg, this.#serverLeg]
      : [this.#towardServer, this.#serverLeg, this.#clientLeg];
    const drained = once(closing, 'end');
    from.push(null);
    await drained;
    const flushed = once(other, 'finish');
    other.end();
    await flushed;
  }
}

/** An in-memory transport for a TLS engine: `push` feeds it, what it writes goes to `out`. */
function wireStream(out: (bytes: Buffer) => void): Duplex {
  return new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      out(chunk);
      callback();
    },
  });
}

/** `TLSv1.3 TLS_AES_256_GCM_SHA384` */
function session(socket: tls.TLSSocket): string {
  const cipher = socket.getCipher();
  return `${socket.getProtocol()} ${cipher?.standardName ?? cipher?.name}`;
}

/**
 * Resolves once a leg has ended (`end`: no more to read; a close_notify may have done it already)
 * or finished (`finish`: all written), on close, or after {@link FLUSH_LIMIT_MS}: a closing
 * connection never hangs on a leg.
 */
function once(leg: tls.TLSSocket, event: 'end' | 'finish'): Promise<void> {
  if (leg.destroyed || (event === 'end' ? leg.readableEnded : leg.writableFinished)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, FLUSH_LIMIT_MS);
    timer.unref();
    leg.once(event, done);
    leg.once('close', done);
    function done() {
      clearTimeout(timer);
      leg.off(event, done);
      leg.off('close', done);
      resolve();
    }
  });
}
