/**
 * Text from outside (an SMTP peer's replies, Received headers, hostnames, log lines of an external
 * gateway, file names, YAML keys) made safe to print on a terminal. A reply such as
 * `451 \x1b]0;title\x07\x1b[2J` would otherwise retitle the window and clear the screen, and a gateway
 * under test could rewrite the verdict lines already printed (ECMA-48 escape and control sequences, and
 * xterm's OSC, all start with one of these characters). Control characters are shown as visible `\xHH`
 * escapes: C0 (U+0000–U+001F, ESC and BEL among them), DEL (U+007F) and C1 (U+0080–U+009F, which some
 * terminals obey as 8-bit CSI and OSC). The HTML and JUnit reports escape for their own formats.
 */

/** Every C0, DEL and C1 control character. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, but for line feed and tab. */
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LF_TAB = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * Escapes the control characters of a text of lines (a transcript, an error message), keeping its line
 * feeds and tabs.
 * @example terminalSafe('250 ok\x1b[2J') // '250 ok\\x1b[2J'
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL_BUT_LF_TAB, hex);
}

/**
 * Escapes every control character of a text meant to be one line, line breaks included (so a value cannot
 * start a line of its own that looks like mailhop's).
 * @example escapeControls('451 \x1b[2J\r\nOK') // '451 \\x1b[2J\\x0d\\x0aOK'
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, hex);
}

/**
 * A copy of `value` (a report: plain objects, arrays, strings, numbers) with every string escaped by
 * escapeControls, for renderers that print many of its fields.
 */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (Array.isArray(value)) return value.map(escapeStrings) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)])) as T;
  }
  return value;
}

/**
 * JSON text with DEL and C1 written as `\u007f` ... `\u009f`: JSON.stringify escapes C0 itself but leaves
 * these raw. The JSON means exactly the same (RFC 8259 §7).
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
