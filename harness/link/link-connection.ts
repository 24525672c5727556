/**
 * One client connection through a link proxy: the client socket, the upstream socket to the
 * link's target, the wire witness watching them and, when the link has faults, the fault pipeline.
 */
import net from 'node:net';
import { Backpressure } from './backpressure.js';
import { FaultPipeline } from './fault-pipeline.js';
import type { LinkFault } from './link-fault.js';
import type { WireRecord } from './wire-record.js';
import { WireWitness } from './wire-witness.js';

/** What a connection needs from its proxy. */
export interface LinkConnectionOptions {
  link: string;
  seq: number;
  target: { host: string; port: number };
  faults: readonly LinkFault[];
  /** Called once, when both sockets have closed. */
  onClosed: (record: WireRecord) => void;
}

type Side = 'client' | 'server';

/** One end of a TCP connection. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Bytes a side may have waiting for the link's faults before it stops being read. */
const FAULT_QUEUE_BYTES = 256 * 1024;

/** Forwards one connection; without faults, every chunk is written on at once, unmodified. */
export class LinkConnection {
  readonly #client: net.Socket;
  readonly #upstream: net.Socket;
  readonly #witness: WireWitness;
  readonly #pipeline?: FaultPipeline;
  readonly #flow = new Backpressure();
  readonly #chains: Record<Side, Promise<void>> = { client: Promise.resolve(), server: Promise.resolve() };
  /** Bytes handed to the fault pipeline and not handled yet, per side. */
  readonly #queued: Record<Side, number> = { client: 0, server: 0 };
  readonly #done: Promise<void>;
  #upstreamConnected = false;
  /** The client's end as this proxy sees it (kept: a closed socket forgets its peer). */
  readonly clientEnd: Endpoint;
  /** The proxy's own end of the upstream connection, once connected: the target sees the client as this. */
  upstreamEnd?: Endpoint;

  constructor(client: net.Socket, options: LinkConnectionOptions) {
    this.#client = client;
    this.clientEnd = { host: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
    this.#witness = new WireWitness({ link: options.link, seq: options.seq, clientPort: client.remotePort ?? 0 });
    if (options.faults.length > 0) {
      const context = { link: options.link, seq: options.seq, connectionId: `${options.link}#${options.seq}`, clientPort: client.remotePort ?? 0 };
      this.#pipeline = new FaultPipeline(options.faults, context, {
        toServer: (bytes) => this.#flow.write(this.#upstream, this.#client, bytes),
        toClient: (bytes) => this.#toClient(bytes),
        close: (how) => this.#close(how),
        acted: (event) => this.#witness.faultActed(event),
      });
    }
    // allowHalfOpen: one side's FIN is passed on while the other direction keeps flowing.
    this.#upstream = net.connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true, noDelay: true });
    this.#upstream.once('connect', () => {
      this.#upstreamConnected = true;
      this.upstreamEnd = { host: this.#upstream.localAddress ?? '', port: this.#upstream.localPort ?? 0 };
      if (this.#upstream.localPort !== undefined) this.#witness.upstreamConnected(this.#upstream.localPort);
    });
    client.setNoDelay(true);

    const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
    this.#done = Promise.all([closed(client), closed(this.#upstream)]).then(() => options.onClosed(this.#witness.record()));

    client.on('data', (chunk: Buffer) => {
      if (!this.#pipeline) this.#flow.write(this.#upstream, client, chunk); // forward first: the witness adds no latency
      this.#witness.fromClient(chunk);
      if (this.#pipeline) this.#feed('client', chunk);
    });
    this.#upstream.on('data', (chunk: Buffer) => {
      if (this.#pipeline) this.#feed('server', chunk);
      else this.#toClient(chunk);
    });
    client.on('end', () => this.#ended('client'));
    this.#upstream.on('end', () => this.#ended('server'));
    client.on('error', (error) => this.#failed('client', error));
    this.#upstream.on('error', (error) => this.#failed('server', error));
  }

  /** A snapshot of the record so far. */
  record(): WireRecord {
    return this.#witness.record();
  }

  /** Closes both sockets now (the proxy is stopping). */
  destroy(): Promise<void> {
    this.#witness.closed('proxy');
    this.#client.destroy();
    this.#upstream.destroy();
    return this.#done;
  }

  #toClient(bytes: Buffer): void {
    this.#flow.write(this.#client, this.#upstream, bytes);
    this.#witness.fromServer(bytes);
  }

  /**
   * Hands a chunk to the fault pipeline, in order. The source keeps being read while faults work,
   * up to {@link FAULT_QUEUE_BYTES} waiting: each chunk is stamped when it arrived, so a fault that
   * holds replies (delay) measures from there, and replies the server sent apart still arrive
   * `ms` late each, not one after the other. Past that bound the source waits (backpressure).
   */
  #feed(side: Side, chunk: Buffer): void {
    const source = side === 'client' ? this.#client : this.#upstream;
    const wasHeld = this.#queued[side] > FAULT_QUEUE_BYTES;
    this.#queued[side] += chunk.length;
    if (!wasHeld && this.#queued[side] > FAULT_QUEUE_BYTES) this.#flow.hold(source, 'faults');
    const pipeline = this.#pipeline as FaultPipeline;
    const receivedAt = Date.now();
    this.#chains[side] = this.#chains[side]
      .then(() => (side === 'client' ? pipeline.fromClient(chunk, receivedAt) : pipeline.fromServer(chunk, receivedAt)))
      .catch(() => this.#close('reset')) // the throwing fault is already in the record
      .finally(() => {
        const held = this.#queued[side] > FAULT_QUEUE_BYTES;
        this.#queued[side] -= chunk.length;
        if (held && this.#queued[side] <= FAULT_QUEUE_BYTES) this.#flow.release(source, 'faults');
      });
  }

  /** A side sent FIN: note it, and pass the FIN on once everything before it was written. */
  #ended(side: Side): void {
    this.#witness.closed(side);
    const other = side === 'client' ? this.#upstream : this.#client;
    const pipeline = this.#pipeline;
    // Faults finish what they hold for the other side (an interceptor's last TLS records) first.
    this.#chains[side] = this.#chains[side].then(() => pipeline?.ended(side)).catch(() => this.#close('reset'));
    void this.#chains[side].then(() => {
      if (!other.destroyed) other.end();
    });
  }

  /** A side failed (ECONNRESET, EPIPE, ECONNREFUSED...): the other side is closed too, never a crash. */
  #failed(side: Side, error: NodeJS.ErrnoException): void {
    const wire = { code: error.code, message: error.message };
    if (side === 'server' && !this.#upstreamConnected) this.#witness.upstreamFailed(wire);
    this.#witness.closed(side, wire);
    const other = side === 'client' ? this.#upstream : this.#client;
    // A reset is passed on as a reset, so the far side sees what a direct connection would show.
    if (error.code === 'ECONNRESET' && !other.destroyed) reset(other);
    else other.destroy();
  }

  #close(how: 'end' | 'reset'): void {
    this.#witness.closed('proxy');
    for (const socket of [this.#client, this.#upstream]) {
      if (socket.destroyed) continue;
      if (how === 'reset') reset(socket);
      else socket.end();
    }
  }
}

/**
 * Closes with RST where a RST can still be sent, else plainly. libuv refuses a reset once a FIN is
 * queued (EINVAL), and Node then never emits 'close': the connection would never finish, its
 * handle would leak and the proxy would never stop. Before the connection is up there is nothing
 * to reset (Node would reset once it connects, after a FIN passed on meanwhile).
 */
function reset(socket: net.Socket): void {
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
