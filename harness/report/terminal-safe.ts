/**
 * Text from the network (SMTP replies, hostnames, log lines of an external gateway) made safe to
 * print on a terminal: C0 controls other than LF and TAB, DEL and C1 controls are shown as `\xNN`
 * escapes, so a peer cannot move the cursor, retitle the window or rewrite lines already printed
 * (ECMA-48 escape and control sequences all start with one of these characters).
 * @example terminalSafe('250 ok\x1b[2J') // '250 ok\\x1b[2J'
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
