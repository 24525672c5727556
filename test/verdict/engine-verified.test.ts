// A link a real engine sends on is `tls-verified` only under a `verify` policy and on the engine's own word that it
// verified the certificate, read from the log lines each product writes (observed with Debian 12's Postfix 3.7.11,
// Exim 4.96, Sendmail 8.17.1.9 and OpenSMTPD 6.8.0p2 in test/engines/engine-verify.test.ts). Pure: no engine runs.
import { describe, expect, it } from 'vitest';
import { PostfixLogReader } from '../../harness/engines/postfix-log.js';
import { EximLogReader } from '../../harness/engines/exim-log.js';
import { SendmailLogReader } from '../../harness/engines/sendmail-log.js';
import { OpensmtpdLogReader } from '../../harness/engines/opensmtpd-log.js';
import type { EngineLogReader } from '../../harness/engines/engine-definition.js';
import type { AcceptedEvent, EffectivePolicy, EngineEvent, HopStartedEvent, TraceEvent } from '../../harness/trace/events.js';
import { judgeMessageLink } from '../../harness/verdict/link-verdict.js';

/** The `verified` mark of each relayed fact the lines give. */
function relayedVerified(reader: EngineLogReader, lines: string[]): Array<boolean | undefined> {
  return lines.flatMap((l) => reader.read(l)).flatMap((f) => (f.kind === 'outbound' && f.fact === 'relayed' ? [f.tls?.verified] : []));
}

describe('each log reader marks a relayed message whose certificate the engine verified', () => {
  it('Postfix: "Verified TLS connection established" (level verify), not "Untrusted"', () => {
    const status = 'postfix/smtp[23050]: ABB7E22CB45: to=<bob@partner.test>, relay=127.0.0.1[127.0.0.1]:46563, delay=0.15, delays=0.09/0.04/0.02/0.01, dsn=2.6.0, status=sent (250 2.6.0 Ok: queued as 677284BADB)';
    const tls = (trust: string) => `postfix/smtp[23050]: ${trust} TLS connection established to 127.0.0.1[127.0.0.1]:46563: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256`;
    expect(relayedVerified(new PostfixLogReader(), [tls('Verified'), status])).toEqual([true]);
    expect(relayedVerified(new PostfixLogReader(), [tls('Untrusted'), status])).toEqual([undefined]);
  });

  it('Exim: CV=yes on the delivery line', () => {
    const line = (cv: string) => `exim[24638]: 2026-12-07 00:03:40 1xaMCi-0006PH-1k => bob@partner.test R=smarthost T=remote_smtp H=next.mailhop.test [127.0.0.1]:42219 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=${cv} C="250 2.6.0 Ok: queued as 785C69CDC7"`;
    expect(relayedVerified(new EximLogReader(), [line('yes')])).toEqual([true]);
    expect(relayedVerified(new EximLogReader(), [line('no')])).toEqual([undefined]);
  });

  it('Sendmail: verify=OK on the STARTTLS=client line', () => {
    const lines = (verify: string) => [
      'sendmail[27494]: 6B705FLf027479: SMTP outgoing connect on [127.88.0.2]',
      `sendmail[27494]: STARTTLS=client, relay=[127.0.0.1], version=TLSv1.3, verify=${verify}, cipher=TLS_AES_256_GCM_SHA384, bits=256/256`,
      'sendmail[27494]: 6B705FLf027479: to=<bob@partner.test>, delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30286, relay=[127.0.0.1] [127.0.0.1], dsn=2.6.0, stat=Sent (Ok: queued as 2114DE3FA8)',
    ];
    expect(relayedVerified(new SendmailLogReader(), lines('OK'))).toEqual([true]);
    expect(relayedVerified(new SendmailLogReader(), lines('FAIL'))).toEqual([undefined]);
  });

  it('OpenSMTPD: server-cert-check result="success" between the TLS line and the delivery', () => {
    const lines = (result: string) => [
      'f7d4c8befa2ebca3 mta connecting address=smtp+tls://127.0.0.1:33417 host=localhost',
      'f7d4c8befa2ebca3 mta tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256',
      `f7d4c8befa2ebca3 mta server-cert-check result="${result}"`,
      'f7d4c8befa2ebca3 mta delivery evpid=b6ef4656f4e48804 from=<alice@org.test> to=<bob@partner.test> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="Ok" stat="250 2.6.0 Ok: queued as CBB6BC634B"',
    ];
    expect(relayedVerified(new OpensmtpdLogReader(), lines('success'))).toEqual([true]);
    expect(relayedVerified(new OpensmtpdLogReader(), lines('failure'))).toEqual([undefined]);
  });
});

describe('the verdict of a link a real engine sends on', () => {
  const LINK = 'mta->next';
  function trace(policy: EffectivePolicy, verified: boolean): TraceEvent[] {
    const started: HopStartedEvent = {
      kind: 'hop-started', source: 'chain', seq: 1, at: 0, link: 'client->mta', hop: 'mta', hopKind: 'engine', engine: 'postfix', outboundLink: LINK,
      hostname: 'mta.mailhop.test', address: { host: '127.88.0.1', port: 2525 }, policy, line: 'postfix listening on 127.88.0.1:2525',
    };
    const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', ...(verified ? { verified: true as const } : {}) };
    const relayed: EngineEvent = { kind: 'engine', source: 'engine', seq: 2, at: 0, link: LINK, hop: 'mta', engine: 'postfix', fact: 'relayed', messageId: 'm1', tls, line: 'status=sent' };
    const accepted: AcceptedEvent = {
      kind: 'accepted', source: 'receiver', seq: 3, at: 0, link: LINK, hop: 'next', messageId: 'm1', secure: true, remotePort: 5001, protocol: 'ESMTPS',
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', nullCipher: false },
    };
    return [started, relayed, accepted];
  }

  it('is tls-verified under verify when its log says it verified the certificate', () => {
    expect(judgeMessageLink(LINK, 'm1', trace('verify', true))).toMatchObject({ verdict: 'tls-verified', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
  });

  it('is tls without that word from the log, or under a policy that would not have refused a bad certificate', () => {
    expect(judgeMessageLink(LINK, 'm1', trace('verify', false)).verdict).toBe('tls');
    expect(judgeMessageLink(LINK, 'm1', trace('mandatory', true)).verdict).toBe('tls');
    expect(judgeMessageLink(LINK, 'm1', trace('opportunistic', true)).verdict).toBe('tls');
  });
});
