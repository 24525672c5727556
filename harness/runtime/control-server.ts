/**
 * The chain's end of the control sockets (control-line.ts): a loopback TCP server that each containerised hop
 * and link proxy connects to and greets with `hello`, and that hands the lines each unit sends afterwards to
 * that unit's hooks (events, accepted messages and id claims of a hop; connections, wire records and
 * `clientOf` answers of a link proxy).
 */
import net from 'node:net';
import { lineReader, type ChainLine, type PendingAnswers, type UnitLine } from './control-line.js';
import type { Address, HopHooks, LinkProxyHooks } from './runtime.js';
import type { PeerEnd } from '../mta/id-claim.js';
import { onHopLine, onLinkProxyLine } from './unit-line-handlers.js';

/** A unit's socket and the address it listens on, from its `hello`. */
export interface UnitHello {
  socket: net.Socket;
  address: Address;
}

/** A unit the chain started and expects to hear from. */
export interface ExpectedUnit {
  /** Called with the unit's `hello`. */
  resolve(v: UnitHello): void;
  hooks: HopHooks | LinkProxyHooks;
  kind: 'hop' | 'link';
  /** A link proxy's answers to `clientOf` questions. */
  clients: PendingAnswers<PeerEnd | undefined>;
}

/** Sends one chain line to a unit (nothing when there is no socket yet). */
export function sendLine(socket: net.Socket | undefined, line: ChainLine): void {
  socket?.write(`${JSON.stringify(line)}\n`);
}

export class ControlServer {
  readonly #server: net.Server;
  /** By unit id (`<hop or link>#<chain>.<unit>`). */
  readonly #expected = new Map<string, ExpectedUnit>();
  /** The sockets of the units that said hello, by unit id. */
  readonly #sockets = new Map<string, net.Socket>();

  private constructor() {
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /** A control server listening on an ephemeral port of 127.0.0.1. */
  static async listen(): Promise<ControlServer> {
    const control = new ControlServer();
    await new Promise<void>((resolve, reject) => control.#server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return control;
  }

  /** `127.0.0.1:<port>`, as units get it in `MAILHOP_CONTROL`. */
  get address(): string {
    return `127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  /** Waits for `unit`'s hello; a connection greeting with any other id is closed. */
  expect(unit: string, expected: ExpectedUnit): void {
    this.#expected.set(unit, expected);
  }

  /** The socket of the link proxy of `link`, once it said hello. */
  linkProxySocket(link: string): net.Socket | undefined {
    return [...this.#sockets.entries()].find(([unit]) => unit.startsWith(`${link}#`))?.[1];
  }

  /** Stops listening and drops every unit's socket. */
  close(): void {
    this.#server.close();
    for (const s of this.#sockets.values()) s.destroy();
  }

  #accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    let unit: string | null = null;
    socket.on('error', () => {});
    // A unit that went away answers nothing more: its open questions get "no such connection".
    socket.on('close', () => {
      if (unit) this.#expected.get(unit)?.clients.closeAll(undefined);
    });
    socket.on('data', lineReader((value) => {
      const line = value as UnitLine;
      if ('hello' in line) {
        unit = line.hello;
        const p = this.#expected.get(unit);
        if (!p) return void socket.destroy();
        this.#sockets.set(unit, socket);
        return p.resolve({ socket, address: line.address });
      }
      const p = unit && this.#expected.get(unit);
      if (!p) return;
      if (p.kind === 'hop') onHopLine(p.hooks as HopHooks, line, (answer) => sendLine(socket, answer));
      else onLinkProxyLine(p.hooks as LinkProxyHooks, p.clients, line);
    }));
  }
}
