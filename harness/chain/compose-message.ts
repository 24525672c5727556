/**
 * The RFC 5322 message the injecting client submits for a scenario message, built by nodemailer's
 * MailComposer: its `Date` from the virtual clock, a `Message-ID` under the client's hostname, and the
 * `X-Mailhop-Id` (plus, under `mailhop up`, the chain's `X-Mailhop-Seal`) that hops report it by.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { DEFAULT_BODY, type Message } from '../scenario/schema.js';
import { HOST_DOMAIN } from './plan-chain.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * Builds the raw message, CRLF line ends, as bytes.
 * @param seal the id's `X-Mailhop-Seal` value, when hops behind a real engine must be able to believe the id.
 */
export function composeMessage(message: Message, id: string, clock: VirtualClock, seal?: string): Promise<Buffer> {
  return new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.body ?? DEFAULT_BODY,
    attachments: message.attachments.map((a) => ({ ...a })),
    date: clock.date(),
    messageId: `<${id}.${clock.wallStart}@client.${HOST_DOMAIN}>`,
    headers: { ...message.headers, 'X-Mailhop-Id': id, ...(seal ? { 'X-Mailhop-Seal': seal } : {}) },
  })
    .compile()
    .build();
}
