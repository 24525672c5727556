/**
 * Text from outside (an SMTP peer's replies, Received headers, file names, YAML keys) made safe to print
 * on a terminal. A reply such as `451 \x1b]0;title\x07\x1b[2J` would otherwise retitle the window and
 * clear the screen, and a gateway under test could rewrite the verdict lines above it (ECMA-48 control
 * functions; xterm's OSC). Every control character is shown as a visible `\xHH` escape: C0
 * (U+0000–U+001F, ESC and BEL among them, line breaks too), DEL (U+007F) and C1 (U+0080–U+009F, which
 * some terminals obey as 8-bit CSI and OSC). The HTML and JUnit reports escape for their own formats.
 */

/** C0, DEL and C1 control characters. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Escapes every control character of `text` as `\xHH`.
 * @example escapeControls('451 \u001b[2J') // '451 \\x1b[2J'
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Escapes every control character of each line of `text`, keeping its line breaks (`\n`). */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControls).join('\n');
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
