/**
 * Follows the TLS phase of one connection (after a 220 to STARTTLS, or from byte 0 with implicit
 * TLS) and decides how far the handshake got. See {@link HandshakeState} for the definitions.
 * Once that is decided (`established` or `failed`) nothing later in the stream can change the record
 * (a later alert, a close_notify, the application data of an eNULL suite): from then on the bytes are
 * not parsed at all, only counted by the witness.
 */
import { TlsRecordParser, type TlsWireEvent } from './tls-hello.js';
import type { HandshakeState, WireAlert, WireDirection, WireTls } from './wire-record.js';

const APPLICATION_DATA = 23;

/** Called with a transcript line: a `[...]` summary, or a sample of stray bytes. */
export type TlsPhaseNote = (dir: WireDirection, text: string) => void;

/** The TLS phase of one connection; feed both directions in wire order. */
export class TlsPhase {
  readonly #client = new TlsRecordParser();
  readonly #server = new TlsRecordParser();
  readonly #note: TlsPhaseNote;
  #handshake: HandshakeState = 'none';
  #failure?: string;
  #tls?: WireTls;
  #alert?: WireAlert;
  #clientAppData = false;
  #strayServerBytes = 0;

  constructor(note: TlsPhaseNote) {
    this.#note = note;
  }

  get handshake(): HandshakeState {
    return this.#handshake;
  }
  get failure(): string | undefined {
    return this.#failure;
  }
  get tls(): WireTls | undefined {
    return this.#tls;
  }
  get alert(): WireAlert | undefined {
    return this.#alert;
  }
  get bufferedBytes(): number {
    return this.#client.bufferedBytes + this.#server.bufferedBytes;
  }

  /** The handshake is established or failed: what the record says about TLS is final. */
  get settled(): boolean {
    return this.#handshake === 'established' || this.#handshake === 'failed';
  }

  fromClient(bytes: Buffer): void {
    if (this.settled) return;
    for (const event of this.#client.push(bytes)) this.#onEvent('client', event);
  }

  fromServer(bytes: Buffer): void {
    if (this.settled) return;
    if (this.#handshake === 'none') {
      // Bytes after the 220 but before the ClientHello are not an answer to it; a correct client
      // discards them (RFC 3207 §4.2, docs/behaviour.md#A-inject-response), so they are noted, not parsed.
      if (this.#strayServerBytes === 0) this.#note('S', `[server sent bytes before the ClientHello: ${sample(bytes)}]`);
      this.#strayServerBytes += bytes.length;
      return;
    }
    for (const event of this.#server.push(bytes)) this.#onEvent('server', event);
  }

  /** The connection ended: a handshake still in progress has failed. */
  closed(by: 'client' | 'server' | 'proxy', error?: { code?: string }): void {
    if (this.#handshake !== 'started') return;
    this.#fail(error?.code ? `${error.code} from ${by}` : `closed by ${by}`);
  }

  #onEvent(from: 'client' | 'server', event: TlsWireEvent): void {
    // Events after the one that settled it, in the same chunk, change nothing.
    if (this.settled) return;
    switch (event.kind) {
      case 'client-hello':
        if (from === 'client' && this.#handshake === 'none') this.#handshake = 'started';
        return;
      case 'server-hello':
        if (from === 'server' && !event.hello.helloRetry) {
          const { version, cipher, cipherCode, nullCipher } = event.hello;
          this.#tls = { version, cipher, cipherCode, nullCipher };
        }
        return;
      case 'alert':
        this.#alert = { ...event.alert, from };
        this.#fail(from === 'server' ? `alert ${event.alert.description}` : `client alert ${event.alert.description}`);
        return;
      case 'not-tls':
        if (from === 'server') this.#note('S', sample(event.sample));
        this.#fail(`non-TLS bytes from ${from}`);
        return;
      case 'record':
        if (event.contentType !== APPLICATION_DATA || this.#handshake !== 'started') return;
        // In TLS 1.3 the server's encrypted handshake is already type 23, so the server's data only
        // counts once the client has sent its own (its Finished, or the first command).
        if (from === 'client') this.#clientAppData = true;
        else if (this.#clientAppData && this.#tls) this.#establish(this.#tls);
        return;
    }
  }

  #establish(tls: WireTls): void {
    this.#handshake = 'established';
    this.#note('S', `[TLS handshake: ${tls.version} ${tls.cipher}]`);
  }

  #fail(reason: string): void {
    this.#handshake = 'failed';
    this.#failure = reason;
    this.#note('S', `[TLS handshake failed: ${reason}]`);
  }
}

/** Printable text of the first bytes, for a transcript line. */
function sample(bytes: Buffer): string {
  const text = bytes.subarray(0, 64).toString('latin1');
  const printable = text.replace(/[^\x20-\x7e]/g, '.');
  return bytes.length > 64 ? `${printable}…` : printable;
}
