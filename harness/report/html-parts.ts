/**
 * Small pieces shared by the HTML report's renderers: escaping, the verdict colours, and the lock
 * and warning icons as inline SVG symbols (no fonts, images or other assets are needed).
 */
import type { LinkVerdictName } from '../scenario/schema.js';

/** Escapes text for HTML element bodies and double-quoted attributes. */
export function esc(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Which lock a link verdict shows: closed (content encrypted), open (in clear), refused, or none. */
export type LockMark = 'closed' | 'open' | 'refused' | 'none';

export const LOCK_OF = {
  'tls-verified': 'closed',
  tls: 'closed',
  downgraded: 'open',
  plain: 'open',
  stripped: 'open',
  refused: 'refused',
  none: 'none',
} satisfies Record<LinkVerdictName, LockMark>;

/** CSS class of a verdict (colour). */
export function verdictClass(verdict: string): string {
  if (verdict === 'tls-verified' || verdict === 'encrypted-verified') return 'v-verified';
  if (verdict === 'tls' || verdict === 'encrypted' || verdict === 'held') return 'v-tls';
  if (verdict === 'refused' || verdict === 'none') return 'v-muted';
  return 'v-clear';
}

/** The icon symbols, defined once per page and drawn with `<use href="#…">`. */
export const ICON_SYMBOLS = `<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" style="position:absolute" aria-hidden="true">
  <symbol id="icon-lock-closed" viewBox="0 0 24 24"><rect x="4" y="11" width="16" height="11" rx="2" fill="currentColor"/><path d="M8 11V7a4 4 0 0 1 8 0v4" fill="none" stroke="currentColor" stroke-width="2.4"/></symbol>
  <symbol id="icon-lock-open" viewBox="0 0 24 24"><rect x="4" y="11" width="16" height="11" rx="2" fill="currentColor"/><path d="M8 11V7a4 4 0 0 1 7.8-1.3" fill="none" stroke="currentColor" stroke-width="2.4"/></symbol>
  <symbol id="icon-lock-refused" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2.4"/><path d="M6 18L18 6" stroke="currentColor" stroke-width="2.4"/></symbol>
  <symbol id="icon-lock-none" viewBox="0 0 24 24"><circle cx="12" cy="12" r="3" fill="currentColor"/></symbol>
  <symbol id="icon-warning" viewBox="0 0 24 24"><path d="M12 2L23 21H1Z" fill="#d29922"/><path d="M12 9v6" stroke="#fff" stroke-width="2.4"/><circle cx="12" cy="18" r="1.3" fill="#fff"/></symbol>
</svg>`;

/** An inline icon (`size` px square). */
export function icon(name: `lock-${LockMark}` | 'warning', size = 16, title?: string): string {
  return `<svg class="icon icon-${name}" width="${size}" height="${size}" viewBox="0 0 24 24" role="img"${title ? ` aria-label="${esc(title)}"` : ' aria-hidden="true"'}>${title ? `<title>${esc(title)}</title>` : ''}<use href="#icon-${name}"/></svg>`;
}
