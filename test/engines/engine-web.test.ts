/**
 * `mailhop up --web` with a real Sendmail as the first hop, mail sent by hand: the live line reports every link,
 * the submission link included (Sendmail's log names the message, by its Message-ID), and the message in full
 * (`GET /api/messages/m1`) gives Sendmail's own log lines as its account of the link it sends on.
 */
import { stripVTControlCharacters as plainText } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { MessageDetail } from '../../harness/index.js';
import { upWithWeb, type UpRun } from '../web/up-in-process.js';
import { availability, titled } from '../support/engine.js';

const missing = (['sendmail', 'postfix'] as const).find((engine) => !availability(engine).usable);

describe.skipIf(missing !== undefined)(titled('mailhop up --web: mail sent by hand to a real Sendmail as the first hop', missing ?? 'sendmail'), () => {
  let up: UpRun | undefined;
  afterEach(async () => {
    await up?.stop();
    up = undefined;
  });

  it("reports the submission link, and the message in full carries Sendmail's log as its account", async () => {
    up = await upWithWeb('scenarios/real/sendmail-messagelabs-postfix-encrypted.yaml');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: up.sendTo.sendmail, secure: false, name: 'tester.local', tls: { rejectUnauthorized: false } });
    await transport.sendMail({ from: 'alice@org.test', to: 'bob@partner.test', subject: 'by hand through sendmail', text: 'hello' });
    const [line] = await up.waitFor(/^.*m1 .*delivered.*$/m);
    expect(plainText(line)).toMatch(/^m1 delivered · client->sendmail: sendmail received it over TLS \(TLSv1\.3 [A-Z0-9_]+\) · sendmail->gateway 🔒 tls · gateway->mailbox 🔒 tls · end to end from sendmail on: encrypted$/);

    const m1 = (await (await fetch(`${up.url}api/messages/m1`)).json()) as MessageDetail;
    const link = m1.links.find((l) => l.link === 'sendmail->gateway')!;
    expect(link.senderLog?.engine).toBe('sendmail');
    expect(link.senderLog?.lines.some((l) => /STARTTLS=client, relay=\[127\.0\.0\.1\], version=TLSv1\.3/.test(l))).toBe(true);
    expect(link.senderLog?.lines.some((l) => /stat=Sent/.test(l))).toBe(true);
  }, 60_000);
});
