/**
 * The sender's witness when an external server sends (a gateway under test that mailhop only connects to):
 * mailhop neither drives it nor reads its log, so it gives no account of its own. The verdict rests on the
 * receiver after it and the wire between them (sessionless-sender.ts); the wire's connections stand for its
 * sessions.
 */
import type { MessageLinkVerdict, SenderStatement, SenderWitness } from './sender-witness.js';
import { judgeSessionless } from './sessionless-sender.js';
import type { TraceIndex } from './trace-index.js';

/** An external server's witness of the link it sends on: silent. */
export class ExternalSender implements SenderWitness {
  readonly kind = 'external';
  readonly hop: string;

  constructor(
    private readonly index: TraceIndex,
    readonly link: string,
  ) {
    this.hop = link.split('->')[0];
  }

  judge(messageId: string): MessageLinkVerdict {
    return judgeSessionless(this.index, this.link, messageId, {});
  }

  /** The connections the wire saw on the link. */
  sessions(): number {
    return this.index.count(this.link, 'wire');
  }

  /** Nothing: mailhop has no account from a server it does not drive. */
  account(): SenderStatement[] {
    return [];
  }
}
