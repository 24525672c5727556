import { expect } from 'vitest';
import nodemailer from 'nodemailer';
import { chainTest } from '../../harness/vitest/index.js';

const test = chainTest('scenarios/clients/app-refuses-stripped-starttls.yaml');

test('our mailer refuses to send when STARTTLS is stripped, and never sends its password in clear', async ({ chain }) => {
  // The application's own transport, pointed at the chain's first hop (its link proxy), trusting the run's CA.
  const { host, port, servername, ca } = chain.submission();
  const transport = nodemailer.createTransport({ host, port, requireTLS: true, tls: { ca, servername }, auth: { user: 'app', pass: 's3cret' } });
  chain.expectSubmission(); // the message the app is about to send: judged even if it never gets in
  await expect(transport.sendMail({ from: 'app@org.test', to: 'bob@partner.test', text: 'hi' })).rejects.toThrow(/STARTTLS/);

  const report = await chain.run();
  await expect(chain).toHaveVerdict('client->relay', 'refused'); // it gave up before MAIL
  await expect(chain).toBeHeldNeverInClear();
  expect(report.links[0].credentialsInClear).toBeUndefined(); // no AUTH crossed outside TLS
  expect(report.passed).toBe(true);
});
