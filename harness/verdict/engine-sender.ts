/**
 * The sender's witness when a real engine sends (harness/engines/): it opens its own SMTP sessions and
 * records none for mailhop, but its log says what it did, reduced to `engine` facts (TLS established with
 * which version and cipher, a failed handshake, a plaintext fallback, relayed, deferred, bounced). The
 * verdict weighs those facts with the receiver's and the wire's accounts (sessionless-sender.ts); the log
 * lines themselves are the engine's account of each message (an auditor reads Postfix's own
 * `Untrusted TLS connection established to ...`).
 */
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { EffectivePolicy } from '../trace/events.js';
import type { MessageLinkVerdict, SenderStatement, SenderWitness } from './sender-witness.js';
import { judgeSessionless } from './sessionless-sender.js';
import type { TraceIndex } from './trace-index.js';

/** A real engine's witness of the link it sends on. */
export class EngineSender implements SenderWitness {
  readonly kind = 'engine';
  readonly hop: string;

  /** `policy`: the outbound TLS policy its configuration amounts to; `dnsRequiresTls`: why the recipient domains' DNS requires TLS on the link (both from its `hop-started` event). */
  constructor(
    private readonly index: TraceIndex,
    readonly link: string,
    readonly engine: RealEngineName,
    private readonly policy: EffectivePolicy | undefined,
    private readonly dnsRequiresTls?: string,
  ) {
    this.hop = link.split('->')[0];
  }

  judge(messageId: string): MessageLinkVerdict {
    return judgeSessionless(this.index, this.link, messageId, { engine: this.engine, policy: this.policy, ...(this.dnsRequiresTls ? { dnsRequiresTls: this.dnsRequiresTls } : {}) });
  }

  /** The connections the wire saw on the link: the engine's sessions, as it records none. */
  sessions(): number {
    return this.index.count(this.link, 'wire');
  }

  account(messageId: string): SenderStatement[] {
    return this.index.engineEvents(this.link).filter((e) => e.messageId === messageId).map((fact) => ({ kind: 'log', fact }));
  }
}
