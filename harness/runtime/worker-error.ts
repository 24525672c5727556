/**
 * An error crossing from a worker thread to the chain. The structured clone of a message port keeps an Error's
 * message but not its class or its fields, so a unit's failure travels as plain data and is made again on the
 * chain's side: a hop that cannot bind its address rejects with the same `MailhopError` (`EBIND`, its hop, its
 * message, the errno as `cause`) as it does in-process.
 */
import { ERROR_CODES, MailhopError, type MailhopErrorCode } from '../errors.js';

/** An error as data: what {@link errorFromData} needs to make it again. */
export interface ErrorData {
  name: string;
  message: string;
  /** A `MailhopError`'s code, or a system error's (`EADDRINUSE`). */
  code?: string;
  hop?: string;
  link?: string;
  command?: string;
  reply?: string;
  stack?: string;
  cause?: ErrorData;
}

/** `err` as data (anything thrown: a non-Error becomes its string). */
export function errorToData(err: unknown): ErrorData {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & Partial<Record<'code' | 'hop' | 'link' | 'command' | 'reply', unknown>>;
  const text = (key: 'code' | 'hop' | 'link' | 'command' | 'reply') => (typeof e[key] === 'string' ? { [key]: e[key] as string } : {});
  return {
    name: err.name, message: err.message, ...text('code'), ...text('hop'), ...text('link'), ...text('command'), ...text('reply'),
    ...(err.stack ? { stack: err.stack } : {}),
    ...(err.cause === undefined ? {} : { cause: errorToData(err.cause) }),
  };
}

/** The error `data` describes: a `MailhopError` with its code and context when it was one, else an Error with its code. */
export function errorFromData(data: ErrorData): Error {
  const cause = data.cause ? { cause: errorFromData(data.cause) } : undefined;
  const err = data.name === 'MailhopError' && data.code && data.code in ERROR_CODES
    ? new MailhopError(data.code as MailhopErrorCode, data.message, { hop: data.hop, link: data.link, command: data.command, reply: data.reply }, cause)
    : Object.assign(new Error(data.message, cause), data.code ? { code: data.code } : {});
  if (data.name !== 'MailhopError') err.name = data.name;
  if (data.stack) err.stack = data.stack;
  return err;
}
