// The engines' log lines, as captured from Debian 12's packages in runs of the fidelity suite, become
// facts tied to mailhop's message ids (pure: no engine runs here).
import { describe, expect, it } from 'vitest';
import { PostfixLogReader } from '../../harness/engines/postfix-log.js';
import { SendmailLogReader } from '../../harness/engines/sendmail-log.js';
import { EximLogReader, gnutlsSuiteName } from '../../harness/engines/exim-log.js';
import { OpensmtpdLogReader } from '../../harness/engines/opensmtpd-log.js';
import { stripSyslogHeader } from '../../harness/engines/syslog-sink.js';
import type { EngineLogReader } from '../../harness/engines/engine-definition.js';

/** Feeds lines and keeps the facts' essentials: kind/fact, message id, TLS version, reply. */
function facts(reader: EngineLogReader, lines: string[]): string[] {
  return lines.flatMap((l) => reader.read(l)).map((f) =>
    f.kind === 'accepted'
      ? `accepted ${f.messageId} ${f.tls ? f.tls.version : 'plain'} port ${f.remotePort}`
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
      '604e50be690a7b14 mta error reason=TLS required but not supported by remote host',
    ])).toEqual([
      'tls ? TLSv1.3',
      'relayed ? TLSv1.3: 250 2.0.0 Ok',
      'tls-failed ?',
      'plaintext-fallback ?',
      'tls-failed ?: TLS required but not supported by remote host',
      'deferred ?: TLS required but not supported by remote host',
    ]);
  });
});
