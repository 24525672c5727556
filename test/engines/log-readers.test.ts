// The engines' log lines, as captured from Debian 12's packages in runs of the fidelity suite, become
// facts tied to mailhop's message ids (pure: no engine runs here).
import { describe, expect, it } from 'vitest';
import { PostfixLogReader } from '../../harness/engines/postfix-log.js';
import { SendmailLogReader } from '../../harness/engines/sendmail-log.js';
import { EximLogReader, gnutlsSuiteName } from '../../harness/engines/exim-log.js';
import { OpensmtpdLogReader } from '../../harness/engines/opensmtpd-log.js';
import { stripSyslogHeader } from '../../harness/engines/syslog-sink.js';
import type { EngineLogReader } from '../../harness/engines/engine-definition.js';
import { engineFactEvents, type EngineDsn } from '../../harness/engines/engine-fact-events.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { Trace } from '../../harness/trace/trace.js';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';

/** Feeds lines and keeps the facts' essentials: kind/fact, message id, TLS version, reply. */
function facts(reader: EngineLogReader, lines: string[]): string[] {
  return lines.flatMap((l) => reader.read(l)).map((f) =>
    f.kind === 'accepted'
      ? `accepted ${f.messageId} ${f.tls ? f.tls.version : 'plain'} port ${f.remotePort}`
      : f.kind === 'dsn'
        ? `dsn ${f.messageId ?? f.ref ?? '?'} to <${f.to}>`
        : `${f.fact} ${f.messageId ?? '?'}${f.tls ? ` ${f.tls.version}` : ''}${f.reply ? `: ${f.reply}` : ''}${f.local ? ' (local)' : ''}`,
  );
}

describe('syslog frames', () => {
  it('lose their priority and timestamp', () => {
    expect(stripSyslogHeader('<22>Nov 29 21:06:41 sendmail[2085]: 6ATL6fdO002085: from=<a@b.test>')).toBe('sendmail[2085]: 6ATL6fdO002085: from=<a@b.test>');
    expect(stripSyslogHeader('<22>Nov  9 01:06:41 postfix/smtpd[1]: connect from x')).toBe('postfix/smtpd[1]: connect from x');
  });
});

describe('Postfix', () => {
  it('accepted over TLS, relayed over TLS', () => {
    expect(facts(new PostfixLogReader(), [
      'postfix/smtpd[22835]: connect from unknown[127.0.0.1]:52082',
      'postfix/smtpd[22835]: Anonymous TLS connection established from unknown[127.0.0.1]:52082: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256',
      'postfix/smtpd[22835]: 6AB6D210788: client=unknown[127.0.0.1]:52082',
      'postfix/cleanup[22838]: 6AB6D210788: message-id=<m1.1795987282608@client.mailhop.test>',
      'postfix/smtp[23910]: Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:43241: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256',
      'postfix/smtp[23910]: 6AB6D210788: to=<bob@partner.test>, relay=127.0.0.1[127.0.0.1]:43241, delay=0.09, delays=0.01/0.06/0.01/0.01, dsn=2.6.0, status=sent (250 2.6.0 Ok: queued as B5E9AE2317)',
    ])).toEqual(['accepted m1 TLSv1.3 port 52082', 'tls m1 TLSv1.3', 'relayed m1 TLSv1.3: 250 2.6.0 Ok: queued as B5E9AE2317']);
  });

  it('a failed handshake defers, the next attempt falls back to a plaintext connection', () => {
    expect(facts(new PostfixLogReader(), [
      'postfix/cleanup[1]: 9BE0E20EB2A: message-id=<m1.1@client.mailhop.test>',
      'postfix/smtp[26695]: SSL_connect error to 127.0.0.1[127.0.0.1]:43707: lost connection',
      'postfix/smtp[26695]: 9BE0E20EB2A: to=<bob@partner.test>, relay=127.0.0.1[127.0.0.1]:43707, delay=0.06, delays=0.02/0.02/0.02/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)',
      'postfix/smtp[26695]: 9BE0E20EB2A: Cannot start TLS: handshake failure',
      'postfix/smtp[26695]: 9BE0E20EB2A: to=<bob@partner.test>, relay=127.0.0.1[127.0.0.1]:43707, delay=1.4, delays=1.3/0/0.01/0.06, dsn=2.6.0, status=sent (250 2.6.0 Ok)',
    ])).toEqual([
      'tls-failed m1: SSL_connect error to 127.0.0.1[127.0.0.1]:43707: lost connection',
      'deferred m1: Cannot start TLS: handshake failure',
      'tls-failed m1: Cannot start TLS: handshake failure',
      'plaintext-fallback m1: delivered over a new plaintext connection',
      'relayed m1: 250 2.6.0 Ok',
    ]);
  });

  it('a delivery into its own Maildir is local', () => {
    expect(facts(new PostfixLogReader(), [
      'postfix/cleanup[1]: 0735720E60A: message-id=<m2.1@client.mailhop.test>',
      'postfix/virtual[9]: 0735720E60A: to=<bob@partner.test>, relay=virtual, delay=0.02, delays=0.01/0/0/0, dsn=2.0.0, status=sent (delivered to maildir)',
    ])).toEqual(['relayed m2 (local)']);
  });
});

describe('Sendmail', () => {
  it('accepted over TLS; a failed handshake, a new connection, sent in clear', () => {
    expect(facts(new SendmailLogReader(), [
      'sendmail[2085]: NOQUEUE: connect from localhost [127.0.0.1]',
      'sendmail[2085]: STARTTLS=server, relay=localhost [127.0.0.1], version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256',
      'sendmail[2085]: 6ATLTVLE000935: from=<alice@org.test>, size=268, class=0, nrcpts=1, msgid=<m1.123@client.mailhop.test>, proto=ESMTPS, daemon=MTA, relay=localhost [127.0.0.1]',
      'sendmail[938]: 6ATLTVLE000935: SMTP outgoing connect on localhost',
      'sendmail[938]: STARTTLS=client, error: connect failed=-1, reason=unexpected eof while reading, SSL_error=1, errno=0, retry=-1',
      'sendmail[938]: 6ATLTVLE000935: SMTP outgoing connect on localhost',
      'sendmail[938]: 6ATLTVLE000935: to=<bob@partner.test>, delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30286, relay=[127.0.0.1] [127.0.0.1], dsn=2.6.0, stat=Sent (Ok: queued as 41DCEB1230)',
    ])).toEqual([
      'accepted m1 TLSv1.3 port 0',
      'tls-failed m1: unexpected eof while reading',
      'plaintext-fallback m1: delivered over a new connection without STARTTLS',
      'relayed m1: Ok: queued as 41DCEB1230',
    ]);
  });

  it('mandatory without STARTTLS on the other side: deferred with the access map reply', () => {
    expect(facts(new SendmailLogReader(), [
      'sendmail[1]: 6ATL6fdO002085: from=<alice@org.test>, size=268, class=0, nrcpts=1, msgid=<m3.1@client.mailhop.test>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]',
      'sendmail[7]: 6ATL6fdO002085: SMTP outgoing connect on localhost',
      'sendmail[7]: 6ATL6fdO002085: to=<bob@partner.test>, delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30268, relay=[127.0.0.1] [127.0.0.1], dsn=4.7.0, stat=Deferred: 454 4.7.0 encryption too weak 0 less than 128',
    ])).toEqual(['accepted m3 plain port 0', 'deferred m3: 454 4.7.0 encryption too weak 0 less than 128']);
  });
});

describe('Exim', () => {
  it('one line per event: accepted, plaintext fallback, relayed', () => {
    expect(facts(new EximLogReader(), [
      'exim[29423]: 2026-11-29 21:26:50 1xXmQ6-0007eZ-2X <= alice@org.test H=(client.mailhop.test) [127.0.0.1]:40518 P=esmtps X=TLS1.3:ECDHE_X25519__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no S=560 id=m1.1795987609973@client.mailhop.test',
      'exim[28140]: 2026-11-29 21:25:40 1xXmQ6-0007eZ-2X TLS session: (gnutls_handshake): The TLS connection was non-properly terminated.: delivering unencrypted to H=127.0.0.1 [127.0.0.1] (not in hosts_require_tls)',
      'exim[29437]: 2026-11-29 21:26:51 1xXmQ6-0007eZ-2X => bob@partner.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]:33745 C="250 2.6.0 Ok: queued as 901963383C"',
    ])).toEqual(['accepted m1 TLSv1.3 port 40518', 'tls-failed m1', 'plaintext-fallback m1', 'relayed m1: 250 2.6.0 Ok: queued as 901963383C']);
  });

  it("names GnuTLS session descriptions the IANA way, as the other witnesses do; what it cannot map stays as logged", () => {
    const [accepted] = new EximLogReader().read('exim[1]: 2026-11-29 21:26:50 1xXmQ6-0007eZ-2X <= a@org.test H=(c) [127.0.0.1]:1 P=esmtps X=TLS1.3:ECDHE_X25519__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no S=5 id=m1.1@client.mailhop.test');
    expect(accepted).toMatchObject({ kind: 'accepted', tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' } });
    expect(gnutlsSuiteName('TLSv1.3', 'ECDHE_SECP256R1__RSA_PSS_RSAE_SHA256__AES_256_GCM')).toBe('TLS_AES_256_GCM_SHA384');
    expect(gnutlsSuiteName('TLSv1.3', 'ECDHE_X25519__ECDSA_SECP256R1_SHA256__CHACHA20_POLY1305')).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(gnutlsSuiteName('TLSv1.2', 'ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_128_GCM')).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    expect(gnutlsSuiteName('TLSv1.2', 'ECDHE_X25519__RSA_SHA256__AES_256_GCM')).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    // CBC: the description names no MAC, so the IANA name cannot be told; an OpenSSL-built Exim's names pass as they are.
    expect(gnutlsSuiteName('TLSv1.2', 'ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_CBC')).toBe('ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_CBC');
    expect(gnutlsSuiteName('TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384')).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
  });

  it('mandatory without STARTTLS on the other side: deferred', () => {
    expect(facts(new EximLogReader(), [
      'exim[1]: 2026-11-29 21:25:52 1xXmPA-0007MY-29 <= alice@org.test H=(c) [127.0.0.1]:1 P=esmtp S=5 id=m4.1@client.mailhop.test',
      'exim[2]: 2026-11-29 21:25:52 1xXmPA-0007MY-29 == bob@partner.test R=smarthost T=remote_smtp defer (-38) H=127.0.0.1 [127.0.0.1]:42743: a TLS session is required, but the server did not offer TLS support',
    ])).toEqual(['accepted m4 plain port 1', 'tls-failed m4', 'deferred m4: a TLS session is required, but the server did not offer TLS support']);
  });
});

describe('OpenSMTPD', () => {
  it('names sessions, not messages: the chain ties them to the one message the engine holds', () => {
    expect(facts(new OpensmtpdLogReader(), [
      'a1b00f3e56786498 mta connecting address=smtp://127.0.0.1:10026 host=localhost',
      'a1b00f3e56786498 mta tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256',
      'a1b00f3e56786498 mta delivery evpid=d74e40048d7e47ca from=<alice@org.test> to=<bob@partner.test> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="Ok" stat="250 2.0.0 Ok"',
      'smtp-out: Error on session 55f6df2d010c5eb3: opportunistic TLS failed, downgrading to plain',
      '55f6df2d010c5eb3 mta error reason=Connection refused',
      '604e50be690a7b14 mta error reason=TLS required but not supported by remote host',
    ])).toEqual([
      'tls ? TLSv1.3',
      'relayed ? TLSv1.3: 250 2.0.0 Ok',
      'tls-failed ?',
      'plaintext-fallback ?',
      'deferred ?: Connection refused',
      'tls-failed ?: TLS required but not supported by remote host',
      'deferred ?: TLS required but not supported by remote host',
    ]);
  });

  // Observed with OpenSMTPD 6.8.0p2 (audit case memory-after-alert): one session fails its handshake, reconnects in
  // plaintext and carries both queued messages; its Received header names its message id, the evpid's first 8 digits.
  const downgradedSession = [
    'fb81cab1a16afbd9 mta connecting address=smtp://127.0.0.1:10026 host=localhost',
    'smtp-out: Error on session fb81cab1a16afbd9: opportunistic TLS failed, downgrading to plain',
    'fb81cab1a16afbd9 mta connecting address=smtp://127.0.0.1:10026 host=localhost',
    'fb81cab1a16afbd9 mta delivery evpid=f3aac87a02a81266 from=<alice@org.test> to=<bob@partner.test> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="Ok" stat="250 2.6.0 Ok: queued as 3D987707B6"',
    'fb81cab1a16afbd9 mta delivery evpid=f92dc4cb9e1b0b20 from=<alice@org.test> to=<bob@partner.test> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="Ok" stat="250 2.6.0 Ok: queued as DEE23996C7"',
  ];

  it('a downgraded session: the failed handshake goes to the first envelope it reports, the fallback to each', () => {
    expect(new OpensmtpdLogReader().read(downgradedSession[1])).toEqual([]);
    const reader = new OpensmtpdLogReader();
    expect(downgradedSession.flatMap((l) => reader.read(l)).map((f) => (f.kind === 'outbound' ? `${f.fact} ${f.ref}` : f.kind))).toEqual([
      'tls-failed f3aac87a', 'plaintext-fallback f3aac87a', 'relayed f3aac87a', 'plaintext-fallback f92dc4cb', 'relayed f92dc4cb',
    ]);
  });

  it('its message id in its own Received header, as the next hop accepted it, names the message when it holds two', () => {
    const trace = new Trace(new VirtualClock());
    const onFact = engineFactEvents({
      hopId: 'target', engine: 'opensmtpd', hostname: 'target.mailhop.test', inboundLink: 'client->target', outboundLink: 'target->next', trace,
      now: () => 0, guessMessage: () => undefined, mailbox: () => undefined,
    });
    const header = (id: string) => `from client.mailhop.test (localhost [127.0.0.1]) by target.mailhop.test (OpenSMTPD) with ESMTP id ${id} for <bob@partner.test>; Mon, 7 Dec 2026 05:35:36 +0000 (UTC)`;
    const accepted = (messageId: string, id: string, link = 'target->next') => trace.emit({
      kind: 'accepted', source: 'receiver', link, hop: 'next', messageId, secure: false, tls: null, protocol: 'ESMTP', remotePort: 1,
      received: { headers: ['from target.mailhop.test by next.mailhop.test (mailhop) with ESMTP id 3D987707B6', header(id)], hopNames: ['next.mailhop.test'] },
    });
    // The same id signed by another host, or seen on another link, names nothing.
    trace.emit({
      kind: 'accepted', source: 'receiver', link: 'target->next', hop: 'next', messageId: 'm9', secure: false, tls: null, protocol: 'ESMTP', remotePort: 1,
      received: { headers: [header('f92dc4cb').replace('by target.', 'by other.')], hopNames: [] },
    });
    accepted('m8', 'f92dc4cb', 'client->target');
    const reader = new OpensmtpdLogReader();
    for (const [i, line] of downgradedSession.entries()) {
      if (i === 3) accepted('m1', 'f3aac87a');
      if (i === 4) accepted('m2', 'f92dc4cb');
      for (const fact of reader.read(line)) onFact(fact);
    }
    expect(trace.events().flatMap((e) => (e.kind === 'engine' ? [`${e.fact} ${e.messageId}`] : []))).toEqual([
      'tls-failed m1', 'plaintext-fallback m1', 'relayed m1', 'plaintext-fallback m2', 'relayed m2',
    ]);
  });
});

/**
 * A bounce as the trace and the chain's DSNs get it, from each engine's own lines (observed with Postfix 3.7,
 * Sendmail 8.17, Exim 4.96 and OpenSMTPD 6.8 relaying in plaintext to a hop whose inbound is `require`): the
 * reply is the next hop's, code, enhanced status code and text as quoted; the bounce names the sender its DSN
 * goes to, and the line saying the DSN was queued is recorded; the DSN's own delivery (refused in turn) is not a
 * second bounce of the message, though the chain would guess it is the one message the engine holds.
 */
describe('a bounce and its DSN, through the fact events', () => {
  const refused = { code: 530, enhanced: '5.7.0', text: '530 5.7.0 Must issue a STARTTLS command first' };

  function bounceOf(engine: RealEngineName, reader: EngineLogReader, lines: string[]) {
    const trace = new Trace(new VirtualClock());
    const dsns: EngineDsn[] = [];
    const onFact = engineFactEvents({
      hopId: 'relay', engine, hostname: 'relay.mailhop.test', inboundLink: 'client->relay', outboundLink: 'relay->mailbox', trace,
      now: () => 0, guessMessage: () => 'm1', mailbox: () => undefined, onDsn: (d) => dsns.push(d),
    });
    for (const line of lines) for (const fact of reader.read(line)) onFact(fact);
    const bounced = trace.events().flatMap((e) => (e.kind === 'bounced' ? [{ messageId: e.messageId, reply: e.reply, dsnTo: e.dsnTo }] : []));
    const logged = trace.events().flatMap((e) => (e.kind === 'engine' && e.fact === 'dsn' ? [`${e.messageId} ${e.detail?.replace(/^DSN \S+ /, '')}`] : []));
    return { bounced, dsns, logged };
  }
  const expected = {
    bounced: [{ messageId: 'm1', reply: refused, dsnTo: 'alice@org.test' }],
    dsns: [{ messageId: 'm1', to: 'alice@org.test', reply: refused }],
    logged: ['m1 to <alice@org.test>'],
  };

  it('Postfix: `said: 530 5.7.0 ... (in reply to MAIL FROM command)`, then `sender non-delivery notification`', () => {
    expect(bounceOf('postfix', new PostfixLogReader(), [
      'postfix/cleanup[21371]: C013822C533: message-id=<m1.1796601690288@client.mailhop.test>',
      'postfix/qmgr[21364]: C013822C533: from=<alice@org.test>, size=662, nrcpt=1 (queue active)',
      'postfix/smtp[21373]: C013822C533: to=<bob@partner.test>, relay=127.0.0.1[127.0.0.1]:37661, delay=0.15, delays=0.07/0.05/0.02/0, dsn=5.7.0, status=bounced (host 127.0.0.1[127.0.0.1] said: 530 5.7.0 Must issue a STARTTLS command first (in reply to MAIL FROM command))',
      'postfix/cleanup[21371]: E4DA022C1E5: message-id=<20261207000121.E4DA022C1E5@relay.mailhop.test>',
      'postfix/bounce[21377]: C013822C533: sender non-delivery notification: E4DA022C1E5',
      'postfix/qmgr[21364]: E4DA022C1E5: from=<>, size=2652, nrcpt=1 (queue active)',
      'postfix/smtp[21373]: E4DA022C1E5: to=<alice@org.test>, relay=127.0.0.1[127.0.0.1]:37661, delay=0.05, delays=0.01/0.01/0.03/0, dsn=5.7.0, status=bounced (host 127.0.0.1[127.0.0.1] said: 530 5.7.0 Must issue a STARTTLS command first (in reply to MAIL FROM command))',
    ])).toEqual(expected);
  });

  it('Sendmail: `reply=530 5.7.0 ..., stat=Service unavailable`, then `DSN: Service unavailable`', () => {
    expect(bounceOf('sendmail', new SendmailLogReader(), [
      'sendmail[21805]: 6B701VlZ021805: from=<alice@org.test>, size=286, class=0, nrcpts=1, msgid=<m1.1796601690288@client.mailhop.test>, proto=ESMTPS, daemon=MTA, relay=localhost [127.0.0.1]',
      'sendmail[21818]: 6B701VlZ021805: SMTP outgoing connect on localhost',
      'sendmail[21818]: 6B701VlZ021805: to=<bob@partner.test>, delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30286, relay=[127.0.0.1] [127.0.0.1], dsn=5.7.0, reply=530 5.7.0 Must issue a STARTTLS command first, stat=Service unavailable',
      'sendmail[21818]: 6B701VlZ021805: 6B701VlY021818: DSN: Service unavailable',
      'sendmail[21818]: 6B701VlY021818: to=<alice@org.test>, delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=31310, relay=[127.0.0.1], dsn=5.1.1, reply=550 5.1.1 Message has no X-Mailhop-Id header; mailhop only relays its own test messages, stat=Service unavailable',
      'sendmail[21818]: 6B701VlY021818: 6B701VlZ021818: return to sender: User unknown',
    ])).toEqual(expected);
  });

  it('Exim: `SMTP error from remote mail server after MAIL FROM:<...> SIZE=1601: 530 5.7.0 ...`, then `<= <> R=QID`', () => {
    expect(bounceOf('exim', new EximLogReader(), [
      'exim[22048]: 2026-12-07 00:01:42 1xaMAo-0005jc-1M <= alice@org.test H=(client.mailhop.test) [127.0.0.1]:36940 P=esmtps X=TLS1.3:ECDHE_X25519__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no S=560 id=m1.1796601701307@client.mailhop.test',
      'exim[22049]: 2026-12-07 00:01:42 1xaMAo-0005jc-1M ** bob@partner.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]:43835: SMTP error from remote mail server after MAIL FROM:<alice@org.test> SIZE=1601: 530 5.7.0 Must issue a STARTTLS command first',
      'exim[22055]: 2026-12-07 00:01:42 1xaMAo-0005jj-2V <= <> R=1xaMAo-0005jc-1M U=Debian-exim P=local S=2035',
      'exim[22060]: 2026-12-07 00:01:42 1xaMAo-0005jj-2V ** alice@org.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]:43835: SMTP error from remote mail server after MAIL FROM:<> SIZE=3121: 530 5.7.0 Must issue a STARTTLS command first',
    ])).toEqual(expected);
  });

  it('OpenSMTPD: `stat="530 5.7.0 ..."`, then its bounce process enqueues the DSN over a local session', () => {
    expect(bounceOf('opensmtpd', new OpensmtpdLogReader(), [
      '19f6fa5a60597abd mta delivery evpid=d74d0805685ba296 from=<alice@org.test> to=<bob@partner.test> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=1s result="PermFail" stat="530 5.7.0 Must issue a STARTTLS command first"',
      'debug: queue: bouncing evp:d74d0805685ba296 as evp:d74d08055a4f8cb1',
      '19f6fa5bd204ca48 smtp connected address=local host=eng.mailhop.test',
      'debug: bounce: 0x56552ba9aed0: found message d74d0805',
      '19f6fa5bd204ca48 smtp envelope evpid=00ea7325b4e8703d from=<> to=<alice@org.test>',
      '19f6fa5a60597abd mta delivery evpid=00ea7325b4e8703d from=<> to=<alice@org.test> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="PermFail" stat="530 5.7.0 Must issue a STARTTLS command first"',
    ])).toEqual(expected);
  });
});
