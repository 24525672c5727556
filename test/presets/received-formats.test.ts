import { describe, expect, it } from 'vitest';
import { headerValues, receivedByHost, receivedHeader, type ReceivedFacts } from '../../harness/mta/received-header.js';
import { parseReceived } from '../../harness/verdict/received-claim.js';
import type { ReceivedFormat } from '../../harness/scenario/schema.js';

// Each product's Received header (docs/behaviour.md#received), written from fixed facts, and read
// back the way the final recipient reads it (verdict/received-claim.ts).

const TLS13: ReceivedFacts = {
  helo: 'relay.mailhop.test', clientIp: '127.0.0.1', by: 'mailbox.mailhop.test', protocol: 'ESMTPS',
  tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
  queueId: '9FEA42223D', recipient: 'bob@partner.test', mailFrom: 'alice@org.test', date: new Date(Date.UTC(2026, 10, 29, 20, 7, 20)),
};
const PLAIN: ReceivedFacts = { ...TLS13, protocol: 'ESMTP', tls: null };
const ENULL: ReceivedFacts = { ...TLS13, tls: { version: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_NULL_SHA', opensslName: 'ECDHE-ECDSA-NULL-SHA' } };

const lines = (header: string) => header.split('\r\n').slice(0, -1);
// Ids follow each product's shape; for 20:07:20 on 29 Nov 2026 the time-based ones start as the observed ones do
// (observed with Sendmail 8.17.1.9 and Exim 4.96: 6ATK7KEG031336, 1xXlBA-0008A1-2Y).

describe('Received formats', () => {
  it('postfix: the smtpd_tls_received_header = yes block, OpenSSL suite names', () => {
    expect(lines(receivedHeader(TLS13, 'postfix'))).toEqual([
      'Received: from relay.mailhop.test (unknown [127.0.0.1])',
      '\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)',
      '\t key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256)',
      '\t(No client certificate requested)',
      '\tby mailbox.mailhop.test (Postfix) with ESMTPS id 9FEA42223D',
      '\tfor <bob@partner.test>; Sun, 29 Nov 2026 20:07:20 +0000 (UTC)',
    ]);
    expect(receivedHeader(ENULL, 'postfix')).toContain('(using TLSv1.2 with cipher ECDHE-ECDSA-NULL-SHA (0/0 bits)');
    expect(lines(receivedHeader(PLAIN, 'postfix'))).toEqual([
      'Received: from relay.mailhop.test (unknown [127.0.0.1])',
      '\tby mailbox.mailhop.test (Postfix) with ESMTP id 9FEA42223D',
      '\tfor <bob@partner.test>; Sun, 29 Nov 2026 20:07:20 +0000 (UTC)',
    ]);
  });

  it('sendmail: (version=... verify=NO) after the id, a sendmail queue id, GMT', () => {
    expect(lines(receivedHeader(TLS13, 'sendmail'))).toEqual([
      'Received: from relay.mailhop.test (localhost [127.0.0.1])',
      '\tby mailbox.mailhop.test (8.17.1.9/8.17.1.9) with ESMTPS id 6ATK7Kds334141',
      '\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)',
      '\tfor <bob@partner.test>; Sun, 29 Nov 2026 20:07:20 GMT',
    ]);
  });

  it('exim 4.96: two spaces after esmtps, the RFC 8314 tls clause with a GnuTLS-style name (ECDHE_RSA under TLS 1.3)', () => {
    expect(lines(receivedHeader(TLS13, 'exim'))).toEqual([
      'Received: from [127.0.0.1] (helo=relay.mailhop.test)',
      '\tby mailbox.mailhop.test with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      '\t(Exim 4.96)',
      '\t(envelope-from <alice@org.test>)',
      '\tid 1xXlBA-00hyNO-HN',
      '\tfor bob@partner.test;',
      '\tSun, 29 Nov 2026 20:07:20 +0000',
    ]);
    expect(receivedHeader(PLAIN, 'exim')).toContain('\r\n\tby mailbox.mailhop.test with esmtp (Exim 4.96)\r\n');
  });

  it('opensmtpd: (version:cipher:bits:NO) after the id', () => {
    expect(lines(receivedHeader(TLS13, 'opensmtpd'))).toEqual([
      'Received: from relay.mailhop.test (localhost [127.0.0.1])',
      '\tby mailbox.mailhop.test (OpenSMTPD) with ESMTPS id 9fea4222 (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)',
      '\tfor <bob@partner.test>;',
      '\tSun, 29 Nov 2026 20:07:20 +0000 (UTC)',
    ]);
  });

  it('exchange: no ESMTPS keyword, TLS only in the Microsoft SMTP Server comment', () => {
    expect(lines(receivedHeader(TLS13, 'exchange'))).toEqual([
      'Received: from relay.mailhop.test (127.0.0.1) by mailbox.mailhop.test',
      ' (127.0.0.1) with Microsoft SMTP Server (version=TLS1_3,',
      ' cipher=TLS_AES_256_GCM_SHA384) id 15.20.8769.21 via Frontend Transport; Sun, 29 Nov 2026 20:07:20 +0000',
    ]);
    expect(receivedHeader(PLAIN, 'exchange')).toContain('with Microsoft SMTP Server id 15.20.8769.21');
  });

  it('messagelabs: no with clause at all, one number of bits, a bemta server', () => {
    const by = receivedByHost('mailbox.mailhop.test', 'messagelabs');
    expect(by).toMatch(/^server-\d+\.bemta-\d+\.messagelabs\.com$/);
    expect(lines(receivedHeader(TLS13, 'messagelabs'))).toEqual([
      'Received: from [127.0.0.1] (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits))',
      `\tby ${by} id 79/64-16930-9FEA4222; Sun, 29 Nov 2026 20:07:20 +0000`,
    ]);
    expect(lines(receivedHeader(PLAIN, 'messagelabs'))).toEqual(['Received: from [127.0.0.1]', `\tby ${by} id 79/64-16930-9FEA4222; Sun, 29 Nov 2026 20:07:20 +0000`]);
    expect(receivedHeader(TLS13, 'messagelabs')).not.toMatch(/\bwith\b(?! cipher)/);
  });

  it('gmail: by mx.google.com, (version=TLS1_3 cipher=... bits=256/256)', () => {
    expect(lines(receivedHeader(TLS13, 'gmail'))).toEqual([
      'Received: from relay.mailhop.test (localhost. [127.0.0.1])',
      '        by mx.google.com with ESMTPS id 9fea42223dsi10480194.160.2026.11.29.20.07.20',
      '        for <bob@partner.test>',
      '        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);',
      '        Sun, 29 Nov 2026 20:07:20 +0000 (UTC)',
    ]);
  });

  it('mailhop (no preset) keeps its own one-line comment with the IANA name', () => {
    expect(lines(receivedHeader(ENULL))).toEqual([
      'Received: from relay.mailhop.test (relay.mailhop.test [127.0.0.1])',
      '\t(using TLSv1.2 with cipher TLS_ECDHE_ECDSA_WITH_NULL_SHA (0/0 bits))',
      '\tby mailbox.mailhop.test (mailhop) with ESMTPS id 9FEA42223D',
      '\tfor <bob@partner.test>; Sun, 29 Nov 2026 20:07:20 +0000',
    ]);
  });

  it.each([
    ['mailhop', 'postfix'], ['postfix', 'postfix'], ['sendmail', 'sendmail'], ['exim', 'exim'], ['opensmtpd', 'opensmtpd'],
    ['exchange', 'exchange'], ['messagelabs', 'messagelabs'], ['gmail', 'gmail'],
  ] as Array<[ReceivedFormat, string]>)('%s reads back: TLS claimed with TLS, plaintext without, signed by its by-host', (format, rule) => {
    const tls = parseReceived(headerValues(receivedHeader(TLS13, format), 'Received')[0]);
    expect(tls).toMatchObject({ believed: 'tls', rule, by: receivedByHost('mailbox.mailhop.test', format) });
    expect(tls.tls?.cipher).toMatch(/AES_256_GCM_SHA384/);
    const plain = parseReceived(headerValues(receivedHeader(PLAIN, format), 'Received')[0]);
    expect(plain.believed).toBe('plain');
    expect(plain.by).toBe(receivedByHost('mailbox.mailhop.test', format));
  });

  it('reads the headers Debian 12\'s real MTAs wrote the way a recipient would', () => {
    const observed = [
      ['Received: from vm (unknown [127.0.0.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\tby postfix-hop.test (Postfix) with ESMTPS id 9FEA42223D3\r\n\tfor <bob@dest.test>; Sun, 29 Nov 2026 20:07:20 +0000 (UTC)\r\n', 'tls', 'postfix', 'postfix-hop.test', 'vm'],
      ['Received: from postfix-hop.test (localhost [127.0.0.1])\r\n\tby sendmail-hop.test (8.17.1.9/8.17.1.9) with ESMTPS id 6ATK7KEG031336\r\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)\r\n\tfor <bob@dest.test>; Sun, 29 Nov 2026 20:07:20 GMT\r\n', 'tls', 'sendmail', 'sendmail-hop.test', 'postfix-hop.test'],
      ['Received: from [127.0.0.1] (helo=sendmail-hop.test)\r\n\tby exim-hop.test with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n\t(envelope-from <alice@sender.test>)\r\n\tid 1xXlBA-0008A1-2Y\r\n\tfor bob@dest.test;\r\n\tSun, 29 Nov 2026 20:07:20 +0000\r\n', 'tls', 'exim', 'exim-hop.test', 'sendmail-hop.test'],
      ['Received: from exim-hop.test (localhost [127.0.0.1])\r\n\tby opensmtpd-hop.test (OpenSMTPD) with ESMTP id 47651fb4\r\n\tfor <bob@dest.test>;\r\n\tSun, 29 Nov 2026 20:07:20 +0000 (UTC)\r\n', 'plain', 'with', 'opensmtpd-hop.test', 'exim-hop.test'],
      ['Received: from [127.0.0.1] (helo=vm)\r\n\tby exim-hop.test with esmtp (Exim 4.96)\r\n\t(envelope-from <alice@sender.test>)\r\n\tid 1xXlC2-0000CT-2b\r\n\tfor bob@dest.test;\r\n\tSun, 29 Nov 2026 20:08:14 +0000\r\n', 'plain', 'with', 'exim-hop.test', 'vm'],
    ] as const;
    for (const [header, believed, rule, by, from] of observed) {
      expect(parseReceived(headerValues(header, 'Received')[0])).toMatchObject({ believed, rule, by, from: { name: from } });
    }
  });
});
