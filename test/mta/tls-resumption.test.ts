/**
 * `outbound.tlsResumption` and `inbound.tls.resumption` on the wire (docs/behaviour.md#B-resumption): messages from a
 * mock relay to one next hop, each on its own connection, one at a time; what the ClientHello offered, whether the
 * ServerHello resumed, and how each message is judged.
 */
import { describe, expect, it } from 'vitest';
import { runInline, type InlineRun } from '../support/chain.js';
import { dialog } from '../support/dialog.js';

const message = (subject: string) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject });
const TWO = [message('m-one'), message('m-two')];

function twoMessages(outbound: Record<string, unknown>, mx: Record<string, unknown> = {}): Promise<InlineRun> {
  return runInline({ hops: [{ id: 'relay', outbound: { tls: 'opportunistic', concurrencyLimit: 1, ...outbound } }, { id: 'mx', ...mx }], messages: TWO });
}

/** Per connection on relay->mx: [handshake, offered a session, resumed]. */
const handshakes = (run: InlineRun) => run.wire('relay->mx').map((w) => [w.handshake, w.resumptionOffered ?? false, w.resumed ?? false]);
const linkOf = (run: InlineRun, id: string) => run.report.messages.find((m) => m.messageId === id)!.links.find((l) => l.link === 'relay->mx')!;

describe('outbound.tlsResumption: tickets', () => {
  it('the second connection offers the session the first was issued, and its ServerHello resumes it: both messages tls', async () => {
    const run = await twoMessages({ tlsResumption: 'tickets' });
    const wire = run.wire('relay->mx');
    expect(handshakes(run), wire.map(dialog).join('\n\n')).toEqual([['established', false, false], ['established', true, true]]);
    expect(wire[1].transcript.map((e) => e.text)).toContain('[TLS handshake: TLSv1.3 TLS_AES_256_GCM_SHA384, session resumed]');
    // The sender and the receiver each held a session of their own: both saw TLS, the sender saw it resumed.
    expect(run.sessions('relay->mx').map((s) => [s.messageId, s.tls?.version, s.tls?.resumed ?? false, s.tls?.verified, s.contentSent])).toEqual([
      ['m1', 'TLSv1.3', false, true, { encrypted: true }],
      ['m2', 'TLSv1.3', true, true, { encrypted: true }],
    ]);
    expect(run.mailbox.map((m) => m.id).sort()).toEqual(['m1', 'm2']);
    expect([linkOf(run, 'm1'), linkOf(run, 'm2')].map((l) => [l.verdict, l.resumed ?? false, l.witnesses])).toEqual([
      ['tls', false, { sender: 'tls', wire: 'tls', receiver: 'tls' }],
      ['tls', true, { sender: 'tls', wire: 'tls', receiver: 'tls' }],
    ]);
    expect(linkOf(run, 'm2').notes).toContain('attempt 1: TLS session resumed (no certificate crossed; certificate valid when the session was established)');
    expect(run.report.links.find((l) => l.link === 'relay->mx')).toMatchObject({ verdict: 'tls', resumed: 1, attempts: 2 });
  });

  it('TLS 1.2 too: the second handshake is abbreviated, resumed on a ticket (RFC 5077)', async () => {
    const run = await twoMessages({ tlsResumption: 'tickets', tlsMaxVersion: 'TLSv1.2' });
    expect(run.wire('relay->mx').map((w) => [w.tls?.version, w.resumed ?? false])).toEqual([['TLSv1.2', false], ['TLSv1.2', true]]);
    expect(run.report.messages.map((m) => m.links.find((l) => l.link === 'relay->mx')!.verdict)).toEqual(['tls', 'tls']);
  });

  it('a next hop that takes no tickets (inbound.tls.resumption: none): the session is offered, a full handshake answers', async () => {
    const run = await twoMessages({ tlsResumption: 'tickets' }, { inbound: { tls: { resumption: 'none' } } });
    expect(handshakes(run)).toEqual([['established', false, false], ['established', true, false]]);
    expect(run.sessions('relay->mx').map((s) => s.tls?.resumed ?? false)).toEqual([false, false]);
    expect([linkOf(run, 'm1').verdict, linkOf(run, 'm2').verdict]).toEqual(['tls', 'tls']);
  });

  it('without the key no session is offered: two full handshakes, as before', async () => {
    const run = await twoMessages({});
    expect(handshakes(run)).toEqual([['established', false, false], ['established', false, false]]);
  });

  it('a resumed session keeps the certificate facts of the one it resumed: a wrong host stays wrong, and verify never relays', async () => {
    // Node checks no name on a resumed session and reports it authorized; the facts must come from the first handshake.
    const run = await runInline({
      runFor: '15m',
      hops: [{ id: 'relay', outbound: { tls: 'verify', tlsResumption: 'tickets', retry: ['5m'] } }, { id: 'mx', inbound: { cert: 'wrong-host' } }],
      messages: [message('never to a wrong host')],
    });
    const sessions = run.sessions('relay->mx');
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.map((s) => [s.tls?.resumed ?? false, s.tls?.verified, s.tls?.verifyError, s.result])).toEqual(
      sessions.map((_, i) => [i > 0, false, 'ERR_TLS_CERT_ALTNAME_INVALID', 'deferred']),
    );
    expect(run.wire('relay->mx').map((w) => w.resumed ?? false)).toEqual(sessions.map((_, i) => i > 0));
    expect(run.mailbox).toEqual([]);
    expect(run.report.messages[0]).toMatchObject({ outcome: 'deferred', endToEnd: 'held' });
  });
});
