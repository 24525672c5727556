// What Postfix 3.7 and Exim 4.96 log as DANE clients (lines captured from test/engines/dane-fidelity.test.ts runs)
// become facts: a DANE-verified delivery, the TLSA failure named on the tls-failed fact, and a failed TLSA lookup
// that is no TLS failure (pure: no engine runs here). Also the resolv.conf and main.cf an engine that routes by MX gets.
import { describe, expect, it } from 'vitest';
import { PostfixLogReader } from '../../harness/engines/postfix-log.js';
import { EximLogReader } from '../../harness/engines/exim-log.js';
import type { EngineLogReader } from '../../harness/engines/engine-definition.js';
import { engineResolvConf } from '../../harness/engines/engine-dns.js';
import { postfixMainCf } from '../../harness/engines/postfix.js';
import { Hop, type EngineHop } from '../../harness/scenario/schema.js';
import { mtaPaths } from '../../harness/engines/mta-paths.js';

function facts(reader: EngineLogReader, lines: string[]): string[] {
  return lines.flatMap((l) => reader.read(l)).map((f) =>
    f.kind === 'outbound' ? `${f.fact} ${f.messageId ?? '?'}${f.tls ? ` ${f.tls.version}${f.tls.verified ? ' verified' : ''}` : ''}${f.reply ? `: ${f.reply}` : ''}` : f.kind,
  );
}

/** Postfix accepting m1 as queue id 4197E42EFC7 (the lines its smtpd and cleanup log). */
const POSTFIX_ACCEPTED = [
  'postfix/smtpd[1]: connect from unknown[127.0.0.1]:52082',
  'postfix/smtpd[1]: 4197E42EFC7: client=unknown[127.0.0.1]:52082',
  'postfix/cleanup[2]: 4197E42EFC7: message-id=<m1.1795987282608@client.mailhop.test>',
];

describe('Postfix as a DANE client', () => {
  it('a delivery over a connection it verified by TLSA: relayed, verified', () => {
    expect(facts(new PostfixLogReader(), [
      ...POSTFIX_ACCEPTED,
      'postfix/smtp[19762]: Verified TLS connection established to mx.mailhop.test[127.25.193.195]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256',
      'postfix/smtp[19762]: 4197E42EFC7: to=<bob@partner.test>, relay=mx.mailhop.test[127.25.193.195]:25, delay=0.28, delays=0.05/0.15/0.07/0.01, dsn=2.6.0, status=sent (250 2.6.0 Ok: queued as 17B1B0D209)',
    ])).toEqual(['accepted', 'tls m1 TLSv1.3 verified', 'relayed m1 TLSv1.3 verified: 250 2.6.0 Ok: queued as 17B1B0D209']);
  });

  it('no TLSA record matched: the failure line names it, before the TLS line of the same connection', () => {
    expect(facts(new PostfixLogReader(), [
      ...POSTFIX_ACCEPTED,
      'postfix/smtp[22259]: server certificate verification failed for mx.mailhop.test[127.25.136.88]:25: num=65:no matching DANE TLSA records',
      'postfix/smtp[22259]: Untrusted TLS connection established to mx.mailhop.test[127.25.136.88]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256',
      'postfix/smtp[22259]: 4197E42EFC7: to=<bob@partner.test>, relay=mx.mailhop.test[127.25.136.88]:25, delay=0.09, delays=0.04/0.04/0.02/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
    ])).toEqual([
      'accepted',
      'tls m1 TLSv1.3',
      'tls-failed m1: server certificate verification failed for mx.mailhop.test[127.25.136.88]:25: num=65:no matching DANE TLSA records',
      'deferred m1: Server certificate not verified',
    ]);
  });
});

describe('Exim as a DANE client', () => {
  const accepted = 'exim[1]: 2026-12-07 09:04:30 1xaUe6-0005WW-0V <= alice@org.test H=client.mailhop.test [127.0.0.1]:40000 P=esmtps id=m1.1795987282608@client.mailhop.test';

  it('CV=dane: relayed, verified', () => {
    expect(facts(new EximLogReader(), [
      accepted,
      'exim[21237]: 2026-12-07 09:04:30 1xaUe6-0005WW-0V => bob@partner.test R=dnslookup T=remote_smtp H=mx.mailhop.test [127.25.249.49]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=dane C="250 2.6.0 Ok: queued as 3977DCCA8F"',
    ])).toEqual(['accepted', 'tls m1 TLSv1.3 verified', 'relayed m1 TLSv1.3 verified: 250 2.6.0 Ok: queued as 3977DCCA8F']);
  });

  it('DANE attempt failed: its line is the tls-failed fact of the deferral that follows', () => {
    expect(facts(new EximLogReader(), [
      accepted,
      'exim[22568]: 2026-12-07 09:05:44 1xaUe6-0005WW-0V DANE attempt failed; TLS connection to mx.mailhop.test [127.25.93.189]: (certificate verification failed): Verification failed. The certificate differs. ',
      'exim[22565]: 2026-12-07 09:05:45 1xaUe6-0005WW-0V == bob@partner.test R=dnslookup T=remote_smtp defer (-37) H=mx.mailhop.test [127.25.93.189]:25: TLS session: (certificate verification failed): Verification failed. The certificate differs. ',
    ])).toEqual([
      'accepted',
      'tls-failed m1: DANE attempt failed; TLS connection to mx.mailhop.test [127.25.93.189]: (certificate verification failed): Verification failed. The certificate differs.',
      'deferred m1: TLS session: (certificate verification failed): Verification failed. The certificate differs. ',
    ]);
  });

  it('a failed TLSA lookup is decided before connecting: a deferral, no TLS failure', () => {
    expect(facts(new EximLogReader(), [
      accepted,
      'exim[24761]: 2026-12-07 09:07:51 1xaUe6-0005WW-0V == bob@partner.test R=dnslookup T=remote_smtp defer (-36): DANE error: tlsa lookup DEFER',
    ])).toEqual(['accepted', 'deferred m1: DANE error: tlsa lookup DEFER']);
  });
});

describe('the configuration of an engine that routes by MX', () => {
  it('resolv.conf names the run\'s server and trusts its AD bit (glibc clears it otherwise)', () => {
    expect(engineResolvConf({ nameserver: '127.53.4.5' })).toBe('nameserver 127.53.4.5\noptions trust-ad attempts:1 timeout:1\n');
  });

  it('Postfix: no relayhost, DNSSEC requested, level dane', () => {
    const hop = Hop.parse({ id: 'relay', engine: 'postfix', outbound: { route: 'mx', dane: 'honor' } }) as EngineHop;
    const config = { hop, hostname: 'relay.mailhop.test', listen: { host: '127.88.0.2', port: 2525 }, next: { host: '127.25.0.2', port: 25 }, keyCert: { key: '', cert: '' }, caCert: '', paths: mtaPaths() };
    const mainCf = postfixMainCf({ at: (...p: string[]) => `/run/${p.join('/')}` }, { ...config, dns: { nameserver: '127.53.4.5' } }, null).split('\n');
    expect(mainCf.filter((l) => /^(relayhost|smtp_dns_support_level|smtp_host_lookup|smtp_tls_security_level) /.test(l))).toEqual([
      'smtp_dns_support_level = dnssec', 'smtp_host_lookup = dns', 'smtp_tls_security_level = dane',
    ]);
    const noDns = postfixMainCf({ at: (...p: string[]) => `/run/${p.join('/')}` }, config, null).split('\n');
    expect(noDns.filter((l) => /^(relayhost|smtp_dns_support_level|smtp_tls_security_level) /.test(l))).toEqual([
      'smtp_dns_support_level = disabled', 'smtp_tls_security_level = may', 'relayhost = [127.25.0.2]:25',
    ]);
  });
});
