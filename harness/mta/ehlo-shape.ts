/**
 * Writes a mock hop's EHLO reply in the shape `inbound.ehlo` asks for (scenario/ehlo-shape.ts): the same keywords
 * smtp-server lists, in another form. smtp-server 3.21 builds the reply in its private `handler_EHLO` and sends it with
 * `send(250, lines, false)`; the patch marks the connection while its handler_EHLO runs (it sends synchronously) and
 * reshapes the lines that send then gets, for a server whose options carry `ehloShape`. Every other reply is unchanged;
 * the package is pinned exactly, and test/mta/ehlo-shape.test.ts checks the reply on the wire.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { EhloShape } from '../scenario/ehlo-shape.js';

/** A keyword line's first word: the keyword (RFC 5321 §4.1.1.1 ehlo-keyword), up to `=` in the old AUTH form. */
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*/;

/**
 * The EHLO reply's lines in `shape`: `lines[0]` is the greeting line (the server's name), kept as it is; the others are
 * keyword lines (`STARTTLS`, `AUTH PLAIN LOGIN`, `SIZE 10485760`). Pure.
 * @example shapeEhloLines(['mx Nice to meet you', 'STARTTLS', 'SIZE 10'], { starttlsLast: true }) // ['mx Nice to meet you', 'SIZE 10', 'STARTTLS']
 */
export function shapeEhloLines(lines: readonly string[], shape: EhloShape): string[] {
  const [greeting, ...keywords] = lines;
  let out = keywords.flatMap((line) => {
    if (!shape.authEquals || !/^AUTH /i.test(line)) return [line];
    const old = `AUTH=${line.slice(5)}`;
    return shape.authEquals === 'only' ? [old] : [line, old];
  });
  if (shape.starttlsLast) out = [...out.filter((l) => !/^STARTTLS$/i.test(l)), ...out.filter((l) => /^STARTTLS$/i.test(l))];
  if (shape.keywordCase === 'lower') out = out.map((l) => l.replace(KEYWORD, (k) => k.toLowerCase()));
  if (shape.extraSpaces) out = out.map((l) => l.split(' ').join('  '));
  if (shape.trailingSpace) out = out.map((l) => `${l} `);
  return [greeting, ...out];
}

type Send = (code: number, data: unknown, context?: unknown) => void;
type Handler = (command: Buffer, callback: () => void) => void;
interface Connection {
  _server: { options: { ehloShape?: EhloShape } };
  /** Set while this connection's handler_EHLO runs. */
  mailhopInEhlo?: boolean;
}
let patched = false;

/** Installs the patch once per process (idempotent); a server without `ehloShape` in its options sends smtp-server's reply. */
export function installEhloShapePatch(): void {
  if (patched) return;
  const proto = (SMTPConnection as unknown as { prototype: { send: Send; handler_EHLO: Handler } }).prototype;
  const send = proto.send;
  const ehlo = proto.handler_EHLO;
  proto.handler_EHLO = function handlerEhlo(this: Connection, command, callback) {
    this.mailhopInEhlo = true;
    try {
      return ehlo.call(this, command, callback);
    } finally {
      this.mailhopInEhlo = false;
    }
  };
  proto.send = function shapedSend(this: Connection, code, data, context) {
    const shape = this._server.options.ehloShape;
    const reshaped = shape && this.mailhopInEhlo && code === 250 && Array.isArray(data) ? shapeEhloLines(data as string[], shape) : data;
    return send.call(this, code, reshaped, context);
  };
  patched = true;
}
