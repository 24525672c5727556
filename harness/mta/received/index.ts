/** The Received-header writers, one per `inbound.received` format (docs/behaviour.md#received). */
import type { ReceivedFormat } from '../../scenario/schema.js';
import type { ReceivedWriter } from './received-format.js';
import { mailhopFormat } from './mailhop-format.js';
import { postfixFormat } from './postfix-format.js';
import { sendmailFormat } from './sendmail-format.js';
import { eximFormat } from './exim-format.js';
import { opensmtpdFormat } from './opensmtpd-format.js';
import { exchangeFormat } from './exchange-format.js';
import { messagelabsFormat } from './messagelabs-format.js';
import { gmailFormat } from './gmail-format.js';

export type { ReceivedFacts, ReceivedWriter } from './received-format.js';

export const RECEIVED_WRITERS: Readonly<Record<ReceivedFormat, ReceivedWriter>> = {
  mailhop: mailhopFormat,
  postfix: postfixFormat,
  sendmail: sendmailFormat,
  exim: eximFormat,
  opensmtpd: opensmtpdFormat,
  exchange: exchangeFormat,
  messagelabs: messagelabsFormat,
  gmail: gmailFormat,
};
