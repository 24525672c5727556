/**
 * One connection through a front, in its plaintext phase: relays the client's commands to the hop's
 * honest server and its replies back, byte for byte, and stops at the client's STARTTLS until the
 * server has answered every command before it (RFC 2920 order), then asks the front's behaviour what
 * the STARTTLS gets. The dialogue is read through `link/smtp-dialogue.ts`, as the link proxy reads it.
 */
import type net from 'node:net';
import { Backpressure } from '../../link/backpressure.js';
import { SmtpDialogue } from '../../link/smtp-dialogue.js';
import { verbOf } from '../../link/smtp-syntax.js';

/**
 * What a front does with the client's STARTTLS:
 * - `{ reply }`: send this reply line (no CRLF; a whole reply, RFC 5321 §4.2, which the relay's
 *   account of the dialogue reads as the STARTTLS's answer) and keep relaying in plaintext; the
 *   inner server never sees the command.
 * - `{ takeOver }`: stop relaying; the behaviour owns both sockets from here on.
 */
export type StarttlsDecision = { reply: string } | { takeOver: (connection: TakenOverConnection) => void };

/** A connection handed to a behaviour at STARTTLS. Both sockets are paused and have no data listeners. */
export interface TakenOverConnection {
  /** The client's socket (the link proxy's, in a chain). */
  client: net.Socket;
  /** The front's connection to the hop's honest server: quiet, every earlier command answered. */
  inner: net.Socket;
  /** The STARTTLS line as the client sent it, without CRLF. */
  line: string;
  /**
   * Client bytes that arrived with or after the STARTTLS line and were already read: pipelined
   * plaintext. A correct server discards them (RFC 3207 §4.2; the CVE-2011-0411 fix).
   */
  pipelined: Buffer;
  /** Registers another socket (e.g. a TLS socket over one of the two) to destroy when the front stops. */
  own(socket: net.Socket): void;
}

/** One deceitful inbound behaviour. */
export interface FrontBehaviour {
  /** Kebab-case name, e.g. `fake-454`, `break-handshake:alert`. */
  readonly name: string;
  /**
   * Called when the client sent STARTTLS and the inner server has answered every earlier command.
   * @param line the command line without CRLF, e.g. `STARTTLS`
   */
  onStarttls(line: string): StarttlsDecision;
}

/**
 * Relays one connection until a behaviour takes it over. Each side is read only while the other
 * takes what it is sent: a client that pipelines and never reads its replies stops being read.
 */
export class FrontRelay {
  /** The dialogue as the client has it: its own bytes, and every byte written to it (the server's and the front's). */
  readonly #dialogue = new SmtpDialogue();
  readonly #flow = new Backpressure();
  /** Client bytes wait while a DATA reply (354 or not) or the quiet before STARTTLS is awaited. */
  #blocked: 'data' | 'starttls' | null = null;
  /** The STARTTLS line waiting for the server to answer every command before it. */
  #starttls?: string;
  #takenOver = false;
  #clientEnded = false;
  #draining = false;
  #stepping = false;
  readonly #onClientEnd = () => {
    this.#clientEnded = true;
    this.#drain();
  };
  readonly #onClient = (chunk: Buffer) => this.#fromClient(chunk);
  readonly #onInner = (chunk: Buffer) => this.#fromInner(chunk);
  readonly #onClientClose = () => this.#inner.destroy();
  readonly #onInnerClose = () => this.#client.end();
  /**
   * The server's FIN (its close after the 221 to QUIT, RFC 5321 §4.1.1.10, or after a 421) goes on to the client at
   * once: every reply before it was written to the client as it came. The inner socket allows half-open, so
   * without this nothing closed until the client did, and a client waiting for the server's close (Sendmail)
   * waited for ever. Our side to the server ends too: nothing the client still sends can be answered.
   */
  readonly #onInnerEnd = () => {
    this.#client.end();
    this.#inner.end();
  };
  readonly #client: net.Socket;
  readonly #inner: net.Socket;
  readonly #behaviour: FrontBehaviour;
  readonly #own: (socket: net.Socket) => void;

  /**
   * @param client the client's socket; `inner` the connection to the hop's honest server
   * @param own registers a socket the front destroys when it stops
   */
  constructor(client: net.Socket, inner: net.Socket, behaviour: FrontBehaviour, own: (socket: net.Socket) => void) {
    this.#client = client;
    this.#inner = inner;
    this.#behaviour = behaviour;
    this.#own = own;
    client.on('data', this.#onClient);
    inner.on('data', this.#onInner);
    client.on('end', this.#onClientEnd);
    client.on('close', this.#onClientClose);
    inner.on('end', this.#onInnerEnd);
    inner.on('close', this.#onInnerClose);
  }

  #fromClient(chunk: Buffer): void {
    this.#dialogue.pushClient(chunk);
    this.#inner.cork(); // a chunk of pipelined commands goes on in one write, not one per line
    this.#drain();
    this.#inner.uncork();
  }

  /**
   * Forwards client steps until one needs the inner server's replies first. Not re-entered: a
   * STARTTLS the front answers itself unblocks from inside the loop, which then goes on (3,000
   * pipelined STARTTLS lines once recursed 3,000 calls deep and overflowed the stack).
   */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      this.#drainLoop();
    } finally {
      this.#draining = false;
    }
  }

  #drainLoop(): void {
    while (!this.#blocked && !this.#takenOver) {
      const step = this.#dialogue.nextClient();
      if (!step) {
        // Everything the client sent before its FIN has gone in: pass the FIN on.
        if (this.#clientEnded) this.#inner.end();
        return;
      }
      if (step.kind === 'command' && step.verb === 'STARTTLS') {
        this.#block('starttls');
        this.#starttls = step.text;
        this.#maybeStarttls();
        continue; // answered by the front: unblocked, the loop goes on; handed over or waiting: it stops
      }
      if (step.kind === 'tls-start') continue; // never: the client's direction is read without implicit TLS
      this.#flow.write(this.#inner, this.#client, 'raw' in step ? step.raw : step.bytes);
      // RFC 5321 §4.1.1.4: content follows only a 354; until the reply, the next bytes are unknown.
      if (step.kind === 'command' && step.verb === 'DATA') this.#block('data');
    }
  }

  #block(why: 'data' | 'starttls'): void {
    this.#blocked = why;
    this.#flow.hold(this.#client, 'blocked');
  }

  #unblock(): void {
    this.#blocked = null;
    this.#flow.release(this.#client, 'blocked');
    this.#drain();
  }

  #fromInner(chunk: Buffer): void {
    this.#flow.write(this.#client, this.#inner, chunk);
    this.#dialogue.pushServer(chunk);
    this.#stepServer();
  }

  /** Follows what the client has been sent. Not re-entered: a loop already running takes what was pushed meanwhile. */
  #stepServer(): void {
    if (this.#stepping) return;
    this.#stepping = true;
    try {
      for (let step = this.#dialogue.nextServer(); step && !this.#takenOver; step = this.#dialogue.nextServer()) {
        if (step.kind === 'reply' && this.#blocked === 'data' && verbOf(step.answering ?? '') === 'DATA') this.#unblock();
        else if ((step.kind === 'reply' || step.kind === 'greeting') && this.#blocked === 'starttls') this.#maybeStarttls();
      }
    } finally {
      this.#stepping = false;
    }
  }

  /** Hands STARTTLS to the behaviour once every earlier command has its reply (RFC 2920 order). */
  #maybeStarttls(): void {
    const line = this.#starttls;
    // The STARTTLS itself is the one reply still owed once every command before it was answered.
    if (line === undefined || this.#dialogue.awaiting > 1) return;
    this.#starttls = undefined;
    const decision = this.#behaviour.onStarttls(line);
    if ('reply' in decision) {
      // The front's own reply: a client that does not read it stops being read, as for the server's.
      const reply = Buffer.from(`${decision.reply}\r\n`, 'utf8');
      this.#flow.write(this.#client, this.#client, reply);
      this.#dialogue.pushServer(reply);
      this.#stepServer();
      this.#unblock();
      return;
    }
    this.#takeOver(line, decision.takeOver);
  }

  #takeOver(line: string, takeOver: (connection: TakenOverConnection) => void): void {
    this.#takenOver = true;
    const client = this.#client;
    const inner = this.#inner;
    this.#flow.detach(); // no drain may resume a socket the behaviour now owns,
    inner.uncork(); // nor may the behaviour's writes wait for the end of the client's chunk
    client.pause();
    inner.pause();
    client.off('data', this.#onClient);
    inner.off('data', this.#onInner);
    client.off('close', this.#onClientClose);
    client.off('end', this.#onClientEnd);
    inner.off('end', this.#onInnerEnd);
    inner.off('close', this.#onInnerClose);
    // The behaviour gets sockets with Node's usual semantics: a FIN ends both directions.
    client.allowHalfOpen = false;
    inner.allowHalfOpen = false;
    takeOver({ client, inner, line, pipelined: this.#dialogue.takeClientBytes(), own: this.#own });
    // A FIN read before the takeover came while half-open was allowed, so nothing ended our side;
    // with the usual semantics it would have, and the behaviour would otherwise wait forever for a
    // client that left (a stalled or injectable front kept such connections open until stop()).
    if (this.#clientEnded && !client.destroyed && !client.writableEnded) client.end();
  }
}
