/**
 * Which command a reply answers. A server answers in the order commands came (RFC 2920 §3: a client
 * may send a group of commands without waiting, and the replies come back in the same order), the
 * first reply of a session is the greeting (RFC 5321 §4.3.1), and a 334 asks for more of the same
 * AUTH exchange without ending it (RFC 4954 §4).
 */

/** What a final reply answers. */
export type Answered =
  /** The first reply of the session, whatever came before it (a client may speak too early). */
  | { greeting: true }
  /**
   * The oldest command still waiting, as it was sent; `undefined` when none was (a reply nobody
   * asked for). After a 334 the same command still waits.
   */
  | { greeting: false; command: string | undefined };

/** The commands of one session that wait for their final reply, oldest first. */
export class CommandQueue {
  readonly #waiting: string[] = [];
  #greeted = false;

  /** Replies still owed: one per command sent and not answered, and one for the greeting until it came. */
  get awaiting(): number {
    return this.#waiting.length + (this.#greeted ? 0 : 1);
  }

  /** A command went to the server: its line without CRLF, or a name such as `(message)` for the end of data. */
  sent(command: string): void {
    this.#waiting.push(command);
  }

  /** A final reply with `code` came back (a reply's last line, RFC 5321 §4.2.1). */
  answer(code: number): Answered {
    if (!this.#greeted) {
      this.#greeted = true;
      return { greeting: true };
    }
    // A 334 asks an AUTH for more (RFC 4954 §4); to any other command it is the final reply.
    const continues = code === 334 && /^\s*AUTH(\s|$)/i.test(this.#waiting[0] ?? '');
    return { greeting: false, command: continues ? this.#waiting[0] : this.#waiting.shift() };
  }
}
