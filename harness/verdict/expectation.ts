/** One claim of a scenario (its `expect`, or a message's own), checked against the run: shared by every judge of claims. */
export interface Expectation {
  /** `outcome`, `endToEnd`, a link name, `dsn.status`, `tlsRpt <domain> day <n> <what>`, ... */
  key: string;
  /** Set for a message's own claim (`messages[].expect`): the message it is about, e.g. `m2`. */
  messageId?: string;
  expected: string;
  /** The actual value, or `m1: x, m2: y` when messages differ. */
  actual: string;
  held: boolean;
}
