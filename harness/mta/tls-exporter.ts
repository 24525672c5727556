/**
 * Keying material exported from a TLS session (RFC 5705; RFC 8446 §7.5): both ends of one session
 * compute the same bytes for the same label, two sessions never do. The relay client and the hop
 * server each record it, and the verdict compares them to tell one TLS session from two (an
 * interceptor in between).
 */
import type tls from 'node:tls';

/** The exporter label both ends of a link use (RFC 5705 §4: labels outside the IANA registry start with `EXPORTER`). */
export const SESSION_EXPORTER_LABEL = 'EXPORTER-mailhop-link-binding';

/** The session's exported keying material (`TlsSummary.exporter`), or undefined when the socket cannot export (closed). */
export function sessionExporter(socket: tls.TLSSocket): string | undefined {
  try {
    return socket.exportKeyingMaterial(16, SESSION_EXPORTER_LABEL, Buffer.alloc(0)).toString('hex');
  } catch {
    return undefined;
  }
}
