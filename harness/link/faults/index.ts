/**
 * The link faults a scenario can place between two hops (`links:` in a scenario file), one file
 * each, behind one factory. Each is an on-path attacker of docs/behaviour.md#attacks: it acts on the link
 * proxy's traffic only; the hops on both ends stay honest.
 *
 * @example
 * links:
 *   - { from: gateway, to: mailbox, fault: strip-starttls }
 *   - { from: sendmail, to: gateway, fault: kill-handshake, attempts: [1] }
 */
import { z } from 'zod';
import type { LinkFault } from '../link-fault.js';
import { delay, DelaySpec } from './delay.js';
import { downgrade454, Downgrade454Spec } from './downgrade-454.js';
import type { FaultEnv } from './fault-common.js';
import { injectCommand, InjectCommandSpec } from './inject-command.js';
import { injectResponse, InjectResponseSpec } from './inject-response.js';
import { intercept, InterceptSpec } from './intercept.js';
import { killHandshake, KillHandshakeSpec } from './kill-handshake.js';
import { maskStarttls, MaskStarttlsSpec } from './mask-starttls.js';
import { onAttempts } from './on-attempts.js';
import { reset, ResetSpec } from './reset.js';
import { stall, StallSpec } from './stall.js';
import { stripStarttls, StripStarttlsSpec } from './strip-starttls.js';
import { tamper220, Tamper220Spec } from './tamper-220.js';

export type { CarriedDelivery, FaultEnv } from './fault-common.js';

/**
 * One fault on one link, as written in a scenario: `from`, `to`, `fault`, optional `attempts`, and
 * the fault's own options (each fault accepts only its own).
 */
export const LinkFaultSpec = z.discriminatedUnion('fault', [
  StripStarttlsSpec,
  MaskStarttlsSpec,
  Downgrade454Spec,
  Tamper220Spec,
  KillHandshakeSpec,
  StallSpec,
  InjectCommandSpec,
  InjectResponseSpec,
  InterceptSpec,
  DelaySpec,
  ResetSpec,
]);
export type LinkFaultSpec = z.output<typeof LinkFaultSpec>;

/** Makes the fault a spec describes (async: an interceptor needs its certificate first). */
export async function createLinkFault(spec: LinkFaultSpec, env: FaultEnv): Promise<LinkFault> {
  return onAttempts(await make(spec, env), spec.attempts, env);
}

/** The faults of one link, in scenario order (the order they see traffic in). */
export function linkFaultsFor(specs: readonly LinkFaultSpec[], link: string, env: FaultEnv): Promise<LinkFault[]> {
  return Promise.all(specs.filter((s) => `${s.from}->${s.to}` === link).map((s) => createLinkFault(s, env)));
}

/**
 * The fault terminates TLS itself and so needs a certificate for the receiver's name, issued by a CA the
 * sender does not trust (a proxy in a container gets it up front: it cannot ask the chain's PKI later).
 */
export function needsAttackerCert(spec: LinkFaultSpec): boolean {
  return spec.fault === 'intercept';
}

async function make(spec: LinkFaultSpec, env: FaultEnv): Promise<LinkFault> {
  switch (spec.fault) {
    case 'strip-starttls':
      return stripStarttls();
    case 'mask-starttls':
      return maskStarttls();
    case 'downgrade-454':
      return downgrade454(spec);
    case 'tamper-220':
      return tamper220(spec);
    case 'kill-handshake':
      return killHandshake(spec, env);
    case 'stall':
      return stall(spec, env);
    case 'inject-command':
      return injectCommand(spec);
    case 'inject-response':
      return injectResponse(spec);
    case 'intercept':
      return intercept(env.servername, await env.attackerCert());
    case 'delay':
      return delay(spec);
    case 'reset':
      return reset(spec);
  }
}
