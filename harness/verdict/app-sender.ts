/**
 * The sender's witness when the application under test submits (`submit: { sender: app }`): mailhop neither
 * drives it nor reads its log, so, as for an external server, the verdict rests on the first hop (its `accepted`
 * events) and the wire (sessionless-sender.ts), with the same verdict words as every other link. Every message a
 * test announced (`app-sender` events) or the first hop accepted is the application's; connections that carried
 * no message (it gave up before MAIL, as a careful client does when STARTTLS is stripped) belong to the message
 * when it is the only one, and the notes say what each connection did on the wire.
 */
import type { MessageLinkVerdict, SenderStatement, SenderWitness } from './sender-witness.js';
import { judgeSessionless } from './sessionless-sender.js';
import type { TraceIndex } from './trace-index.js';

/** The application's witness of the submission link: silent, like an external server's. */
export class AppSender implements SenderWitness {
  readonly kind = 'app';
  readonly hop = 'client';

  constructor(
    private readonly index: TraceIndex,
    readonly link: string,
  ) {}

  judge(messageId: string): MessageLinkVerdict {
    return judgeSessionless(this.index, this.link, messageId, { app: true });
  }

  /** The connections the wire saw on the link: the application's sessions. */
  sessions(): number {
    return this.index.count(this.link, 'wire');
  }

  /** Nothing: the application keeps no account mailhop can read. */
  account(): SenderStatement[] {
    return [];
  }
}
