/**
 * A mock hop's REQUIRETLS (RFC 8689; docs/behaviour.md#B-requiretls), as a client sees it on the wire: listed only
 * in the EHLO reply after STARTTLS under `inbound.requireTls: advertise`, the parameter taken only there, and
 * refused `555 5.5.4` everywhere else (RFC 5321 §4.1.1.11), as Debian 12's Postfix 3.7.11 refuses it (observed,
 * test/engines/requiretls-fidelity.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { advertises } from '../../harness/mta/smtputf8.js';
import { REQUIRETLS_REFUSED, UPSTREAM_REQUIRETLS_FINGERPRINT } from '../../harness/mta/requiretls-params.js';
import type { AcceptedEvent, RefusedCommandEvent } from '../../harness/trace/events.js';
import { cmd, dial, dialog } from '../support/dialog.js';
import { startTestHop } from '../support/hop.js';

const MAIL = 'MAIL FROM:<alice@org.test> REQUIRETLS';

/** EHLO, STARTTLS, the handshake and EHLO again: the two EHLO replies. */
async function upgrade(client: Awaited<ReturnType<typeof dial>>) {
  const before = await cmd(client, 'EHLO client.mailhop.test', 250);
  await cmd(client, 'STARTTLS', 220);
  await client.startTls();
  const after = await cmd(client, 'EHLO client.mailhop.test', 250);
  return { before, after };
}

describe('inbound.requireTls', () => {
  it('advertise: REQUIRETLS listed after STARTTLS only, the parameter taken over TLS and the message tagged', async () => {
    await using hop = await startTestHop({ requireTls: 'advertise' });
    const client = await dial(hop.server.address, hop.pki);
    const { before, after } = await upgrade(client);
    expect({ before: advertises(before, 'REQUIRETLS'), after: advertises(after, 'REQUIRETLS') }, dialog(client)).toEqual({ before: false, after: true });
    await cmd(client, MAIL, 250);
    await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
    await cmd(client, 'DATA', 354);
    await expect(client.sendData(Buffer.from('X-Mailhop-Id: m1\r\nSubject: t\r\n\r\nhi\r\n'))).resolves.toMatchObject({ code: 250 });
    await client.quit();
    expect(hop.accepted.map((m) => m.requireTls)).toEqual([true]);
    const accepted = hop.trace.events().filter((e): e is AcceptedEvent => e.kind === 'accepted');
    expect(accepted.map((e) => e.requireTls)).toEqual([true]);
  });

  it('advertise: in a plaintext session the parameter is refused 555 5.5.4, not smtp-server\'s 530', async () => {
    await using hop = await startTestHop({ requireTls: 'advertise' });
    const client = await dial(hop.server.address, hop.pki);
    const ehlo = await cmd(client, 'EHLO client.mailhop.test', 250);
    expect(advertises(ehlo, 'REQUIRETLS')).toBe(false);
    const reply = await cmd(client, MAIL, 555);
    expect(reply.text).toBe(REQUIRETLS_REFUSED);
    await cmd(client, 'MAIL FROM:<alice@org.test>', 250);
    await client.quit();
    const refused = hop.trace.events().filter((e): e is RefusedCommandEvent => e.kind === 'refused-command');
    expect(refused.map((e) => [e.command, e.reply])).toEqual([['MAIL FROM', REQUIRETLS_REFUSED]]);
  });

  it.each([
    ['absent (none)', {}],
    ['none', { requireTls: 'none' as const }],
  ])('%s: never listed, and the parameter refused 555 5.5.4 over TLS as in plaintext (Postfix 3.7.11)', async (_name, inbound) => {
    await using hop = await startTestHop(inbound);
    const client = await dial(hop.server.address, hop.pki);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    const plain = await cmd(client, MAIL, 555);
    await cmd(client, 'RSET', 250);
    await cmd(client, 'STARTTLS', 220);
    await client.startTls();
    const after = await cmd(client, 'EHLO client.mailhop.test', 250);
    const tls = await cmd(client, MAIL, 555);
    await client.quit();
    expect({ after: advertises(after, 'REQUIRETLS'), plain: plain.text, tls: tls.text }, dialog(client))
      .toEqual({ after: false, plain: REQUIRETLS_REFUSED, tls: REQUIRETLS_REFUSED });
  });

  it('ignore: never listed, the parameter taken (in plaintext too) and forgotten: the message is not tagged', async () => {
    await using hop = await startTestHop({ requireTls: 'ignore' });
    const client = await dial(hop.server.address, hop.pki);
    await cmd(client, 'EHLO client.mailhop.test', 250);
    await cmd(client, MAIL, 250);
    await cmd(client, 'RCPT TO:<bob@partner.test>', 250);
    await cmd(client, 'DATA', 354);
    await client.sendData(Buffer.from('X-Mailhop-Id: m1\r\nSubject: t\r\n\r\nhi\r\n'));
    await client.quit();
    expect(hop.accepted.map((m) => m.requireTls)).toEqual([undefined]);
  });

  it('upstream smtp-server still checks REQUIRETLS where the patch expects (else review requiretls-params.ts)', async () => {
    const source = await readFile(fileURLToPath(import.meta.resolve('smtp-server/lib/smtp-connection.js')), 'utf8');
    const validate = source.slice(source.indexOf('    _validateMailParams(parsed) {'), source.indexOf('    _applyMailParams('));
    expect(validate).toContain(UPSTREAM_REQUIRETLS_FINGERPRINT);
  });
});
