/**
 * `pipelining: true` on the wire (RFC 2920 §3.1): MAIL FROM, every RCPT TO and DATA go as one group when the
 * server's EHLO reply lists PIPELINING, and their replies are paired by order.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import type { SessionEvent } from '../../harness/trace/events.js';

const to = ['bob@partner.test', 'carol@partner.test'];

/** The session's transcript as `C VERB` / `S code` lines, up to and including the 354 or the group's last reply. */
const dialogue = (session: SessionEvent) => session.transcript.map((l) => (l.dir === 'C' ? `C ${l.text.split(/[ :]/)[0]}` : `${l.dir} ${l.text.slice(0, 3)}`));

describe('pipelining', () => {
  it('sends MAIL, both RCPTs and DATA before reading a reply, and delivers', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { tls: 'none', pipelining: true } }, { id: 'mx', inbound: { starttls: 'none' } }],
      messages: [{ from: 'alice@org.test', to }],
    });
    const [session] = run.sessions('relay->mx');
    const lines = dialogue(session);
    const mail = lines.indexOf('C MAIL');
    expect(lines.slice(mail, mail + 8)).toEqual(['C MAIL', 'C RCPT', 'C RCPT', 'C DATA', 'S 250', 'S 250', 'S 250', 'S 354']);
    // The wire witness read the group's commands, and the content as a message in clear.
    const [wire] = run.wire('relay->mx');
    expect(verbs(wire)).toEqual(['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
    expect([...wire.plaintextMessageIds]).toEqual(['m1']);
    expect(run.mailbox.map((m) => m.to)).toEqual([to]);
    expect(session.result).toBe('relayed');
  });

  it('a MAIL refused in the group bounces the message on its reply (5xx); the RCPTs and DATA sent with it are refused too', async () => {
    const run = await runInline({
      hops: [{ id: 'relay', outbound: { tls: 'none', pipelining: true } }, { id: 'mx', inbound: { starttls: 'require' } }],
      messages: [{ from: 'alice@org.test', to }],
    });
    const [session] = run.sessions('relay->mx');
    expect([session.result, session.reply.code]).toEqual(['bounced', 530]);
    const lines = dialogue(session);
    const mail = lines.indexOf('C MAIL');
    expect(lines.slice(mail, mail + 8)).toEqual(['C MAIL', 'C RCPT', 'C RCPT', 'C DATA', 'S 530', 'S 503', 'S 503', 'S 503']);
    expect(verbs(run.wire('relay->mx')[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
    expect(run.mailbox).toEqual([]);
  });
});
