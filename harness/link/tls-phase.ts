/**
 * Follows the TLS phase of one connection (after a 220 to STARTTLS, or from byte 0 with implicit
 * TLS) and decides how far the handshake got. See {@link HandshakeState} for the definitions.
 * Once that is decided (`established` or `failed`) nothing later in the stream can change the record
 * (a later alert, a close_notify, the application data of an eNULL suite): from then on the bytes are
 * not parsed at all, only counted by the witness.
 */
import { TlsRecordParser, type ClientOffer, type ServerHello, type TlsWireEvent } from './tls-hello.js';
import type { HandshakeState, WireAlert, WireDirection, WireTls } from './wire-record.js';

const CHANGE_CIPHER_SPEC = 20;
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
  #offer?: ClientOffer;
  /** A record from the client after its whole ClientHello: its second flight has begun. */
  #clientSecondFlight = false;
  #resumed = false;

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
  /**
   * The server resumed an earlier session instead of a full handshake (an abbreviated one: no certificate crossed):
   * TLS 1.3, the ServerHello selected one of the client's PSKs (RFC 8446 §2.2, §4.2.11); TLS 1.2 and below, the
   * ServerHello echoed the non-empty session id the ClientHello offered (RFC 5246 §7.4.1.3), or the server sent its
   * ChangeCipherSpec before the client's second flight, which only an abbreviated handshake does (RFC 5246 §7.3, a
   * ticket accepted under an empty session id, RFC 5077 §3.4).
   */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** The ClientHello offered a session to resume: a PSK (TLS 1.3) or a SessionTicket (TLS 1.2). */
  get resumptionOffered(): boolean {
    return Boolean(this.#offer && (this.#offer.pskOffered || this.#offer.ticketOffered));
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
      case 'client-offer':
        if (from === 'client') this.#offer = event.offer;
        return;
      case 'server-hello':
        if (from === 'server' && !event.hello.helloRetry) {
          const { version, cipher, cipherCode, nullCipher } = event.hello;
          this.#tls = { version, cipher, cipherCode, nullCipher };
          this.#resumed = resumedBy(event.hello, this.#offer);
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
        if (from === 'client' && this.#offer) this.#clientSecondFlight = true;
        // TLS 1.3 sends a ChangeCipherSpec after any ServerHello for middlebox compatibility (RFC 8446 §D.4): only below it tells.
        if (from === 'server' && event.contentType === CHANGE_CIPHER_SPEC && !this.#clientSecondFlight && this.#tls && this.#tls.version !== 'TLSv1.3') {
          this.#resumed = true;
        }
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
    this.#note('S', `[TLS handshake: ${tls.version} ${tls.cipher}${this.#resumed ? ', session resumed' : ''}]`);
  }

  #fail(reason: string): void {
    this.#handshake = 'failed';
    this.#failure = reason;
    this.#note('S', `[TLS handshake failed: ${reason}]`);
  }
}

/** Whether a ServerHello resumes what the ClientHello offered (see {@link TlsPhase.resumed}). */
function resumedBy(hello: ServerHello, offer: ClientOffer | undefined): boolean {
  if (hello.version === 'TLSv1.3') return hello.pskSelected;
  return Boolean(offer && offer.sessionId.length > 0 && hello.sessionId.equals(offer.sessionId));
}

/** Printable text of the first bytes, for a transcript line. */
function sample(bytes: Buffer): string {
  const text = bytes.subarray(0, 64).toString('latin1');
  const printable = text.replace(/[^\x20-\x7e]/g, '.');
  return bytes.length > 64 ? `${printable}…` : printable;
}
