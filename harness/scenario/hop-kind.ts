/**
 * The three kinds of hop, and the one list of real MTAs. What runs a hop decides who can witness the mail
 * it sends on (verdict/sender-witness.ts):
 * - `mock`: mailhop's own MTA (harness/mta/), which records every SMTP session it opens;
 * - `engine`: a real MTA mailhop configures, starts on loopback and stops (harness/engines/), whose own log
 *   tells what it did;
 * - `external`: a server mailhop only connects to (a gateway under test), which tells mailhop nothing: the
 *   receiver after it and the wire are the only witnesses of what it sent.
 *
 * A leaf module (it imports only zod), so the schema, the engines, the trace and the verdicts can all name kinds.
 */
import { z } from 'zod';

/** The real MTAs a hop can run (`engine:` in a scenario); harness/engines/ has one definition per name. */
export const REAL_ENGINES = ['postfix', 'sendmail', 'exim', 'opensmtpd'] as const;
export type RealEngineName = (typeof REAL_ENGINES)[number];

/** Every value of a hop's `engine:` key, in the order problem messages list them (`mock` when absent). */
export const ENGINE_NAMES = ['mock', ...REAL_ENGINES, 'external'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Who runs a hop: mailhop's mock, a real engine mailhop starts, or an external server it only connects to. */
export type HopKind = 'mock' | 'engine' | 'external';

/**
 * Who sends on a link: the injecting client (which mailhop drives, as a mock), the application under test in its
 * place (`submit: { sender: app }`: mailhop neither drives it nor reads its log, as an external server), or the hop
 * before the receiver.
 */
export type SenderKind = 'client' | 'app' | HopKind;

/** The kind of a hop, from its `engine:`. @example hopKind({ engine: 'exim' }) // 'engine' */
export function hopKind(hop: { readonly engine: EngineName }): HopKind {
  return hop.engine === 'mock' || hop.engine === 'external' ? hop.engine : 'engine';
}

/** True for `postfix`, `sendmail`, `exim` and `opensmtpd`. */
export function isRealEngine(name: unknown): name is RealEngineName {
  return (REAL_ENGINES as readonly unknown[]).includes(name);
}

/** Whether mailhop drives the sender (the injecting client or a mock hop): it records a `session` event per SMTP session. */
export function isDriven(kind: SenderKind): kind is 'client' | 'mock' {
  return kind === 'client' || kind === 'mock';
}

/** A hop's `id`: `[a-z0-9-]+`, its hostname `<id>.mailhop.test`; `client` names the injecting client. */
export const HopId = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+').refine((id) => id !== 'client', {
  message: '"client" names the injecting client; choose another hop id',
});
