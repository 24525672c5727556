/**
 * Which front, if any, an inbound STARTTLS mode needs, and how the honest server behind it runs.
 * smtp-server always answers STARTTLS with 220 (or 500 when the verb is disabled), so every mode
 * that answers otherwise, or misbehaves after the 220, is a front before an honest server.
 */
import type tls from 'node:tls';
import type { Inbound } from '../../scenario/schema.js';
import { breakHandshakeFront } from './break-handshake.js';
import type { FrontBehaviour } from './front-runner.js';
import { COMMAND_NOT_IMPLEMENTED, TLS_TEMPORARILY_UNAVAILABLE, starttlsReplyFront } from './starttls-reply.js';
import { vulnerableInjectionFront, type VulnerableInjectionOptions } from './vulnerable-injection.js';

/** What a front tells the hop, and what it needs from it. */
export interface FrontHooks {
  /** The hop's server-side TLS (key, certificate, versions, ciphers), for fronts that terminate TLS. */
  tls: tls.SecureContextOptions;
  /** The front refused STARTTLS with this reply line. */
  refused(reply: string): void;
  /** Plaintext commands from before the handshake were executed inside TLS (`vulnerable-injection`). */
  injected: VulnerableInjectionOptions['onInjection'];
}

/** A front and the STARTTLS mode of the honest server behind it. */
export interface FrontPlan {
  behaviour: FrontBehaviour;
  /** `none`: STARTTLS neither advertised nor accepted by the inner server; `offer`: advertised and accepted. */
  inner: 'none' | 'offer';
  /**
   * The front ends the client's TLS itself and opens its own to the inner server, so the server's
   * session is not the sender's (its exported keying material differs by design).
   */
  terminatesTls?: true;
}

/** The front for an inbound mode, or null for the modes the honest smtp-server implements alone. */
export function frontFor(inbound: Inbound, hooks: FrontHooks): FrontPlan | null {
  switch (inbound.starttls) {
    case 'none':
      // smtp-server would say `500 Error: command not recognized`; Postfix says 502 (docs/behaviour.md#S-none).
      return { behaviour: starttlsReplyFront('none', COMMAND_NOT_IMPLEMENTED, hooks.refused), inner: 'none' };
    case 'fake-454':
      return { behaviour: starttlsReplyFront('fake-454', TLS_TEMPORARILY_UNAVAILABLE, hooks.refused), inner: 'offer' };
    case 'fake-502':
      return { behaviour: starttlsReplyFront('fake-502', COMMAND_NOT_IMPLEMENTED, hooks.refused), inner: 'offer' };
    case 'fake-reply':
      return { behaviour: starttlsReplyFront('fake-reply', inbound.starttlsReply, hooks.refused), inner: 'offer' };
    case 'break-handshake':
      return { behaviour: breakHandshakeFront(inbound.how), inner: 'offer' };
    case 'vulnerable-injection':
      return { behaviour: vulnerableInjectionFront({ tls: hooks.tls, onInjection: hooks.injected }), inner: 'offer', terminatesTls: true };
    default:
      return null;
  }
}
