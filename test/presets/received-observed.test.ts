import { describe, expect, it } from 'vitest';
import { receivedHeader, type ReceivedFacts } from '../../harness/mta/received-header.js';
import { receivedDate } from '../../harness/mta/received/received-format.js';
import type { ReceivedFormat } from '../../harness/scenario/schema.js';
import { receivedInstant } from '../support/received-capture.js';

// Headers the real engines wrote on Debian 12 (Postfix 3.7.11, Sendmail 8.17.1.9, Exim 4.96 with GnuTLS,
// OpenSMTPD 6.8.0p2), each receiving from the same Node client with mailhop's ECDSA P-256 keys on 6 December
// 2026, a one-digit day (test/engines/received-exact.test.ts takes them afresh from the engines). Each format
// must write them again from the same facts, byte for byte but for the queue id. Exim's `port=N ` is removed:
// mailhop's Exim configuration logs incoming ports, which puts it in `$sender_rcvhost`; a default Exim has none.

const TLS13 = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' };
const TLS12 = { version: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', opensslName: 'ECDHE-ECDSA-AES128-GCM-SHA256' };

const OBSERVED: Array<[string, ReceivedFormat, ReceivedFacts['tls'], string]> = [
  ['Postfix 3.7.11, TLS 1.3', 'postfix', TLS13,
    'Received: from client.mailhop.test (unknown [127.0.0.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\tby rx.mailhop.test (Postfix) with ESMTPS id 4DC6A22CCE2\r\n\tfor <bob@partner.test>; Sun,  6 Dec 2026 23:55:49 +0000 (UTC)\r\n'],
  ['Postfix 3.7.11, TLS 1.2', 'postfix', TLS12,
    'Received: from client.mailhop.test (unknown [127.0.0.1])\r\n\t(using TLSv1.2 with cipher ECDHE-ECDSA-AES128-GCM-SHA256 (128/128 bits))\r\n\t(No client certificate requested)\r\n\tby rx.mailhop.test (Postfix) with ESMTPS id 9254222C764\r\n\tfor <bob@partner.test>; Sun,  6 Dec 2026 23:55:49 +0000 (UTC)\r\n'],
  ['Postfix 3.7.11, plaintext', 'postfix', null,
    'Received: from client.mailhop.test (unknown [127.0.0.1])\r\n\tby rx.mailhop.test (Postfix) with ESMTP id B06E722C764\r\n\tfor <bob@partner.test>; Sun,  6 Dec 2026 23:55:49 +0000 (UTC)\r\n'],
  ['Sendmail 8.17.1.9, TLS 1.3', 'sendmail', TLS13,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (8.17.1.9/8.17.1.9) with ESMTPS id 6B6NuN2Y012878\r\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)\r\n\tfor <bob@partner.test>; Sun, 6 Dec 2026 23:56:23 GMT\r\n'],
  ['Sendmail 8.17.1.9, TLS 1.2', 'sendmail', TLS12,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (8.17.1.9/8.17.1.9) with ESMTPS id 6B6NuO9v012881\r\n\t(version=TLSv1.2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128 verify=NO)\r\n\tfor <bob@partner.test>; Sun, 6 Dec 2026 23:56:24 GMT\r\n'],
  ['Sendmail 8.17.1.9, plaintext', 'sendmail', null,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (8.17.1.9/8.17.1.9) with ESMTP id 6B6NuOSt012884\r\n\tfor <bob@partner.test>; Sun, 6 Dec 2026 23:56:24 GMT\r\n'],
  ['Exim 4.96, TLS 1.3', 'exim', TLS13,
    'Received: from [127.0.0.1] (helo=client.mailhop.test)\r\n\tby rx.mailhop.test with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n\t(envelope-from <alice@org.test>)\r\n\tid 1xaM6A-0003ZT-26\r\n\tfor bob@partner.test;\r\n\tSun, 06 Dec 2026 23:56:54 +0000\r\n'],
  ['Exim 4.96, TLS 1.2', 'exim', TLS12,
    'Received: from [127.0.0.1] (helo=client.mailhop.test)\r\n\tby rx.mailhop.test with esmtps  (TLS1.2) tls TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\r\n\t(Exim 4.96)\r\n\t(envelope-from <alice@org.test>)\r\n\tid 1xaM6A-0003Zm-31\r\n\tfor bob@partner.test;\r\n\tSun, 06 Dec 2026 23:56:54 +0000\r\n'],
  ['Exim 4.96, plaintext', 'exim', null,
    'Received: from [127.0.0.1] (helo=client.mailhop.test)\r\n\tby rx.mailhop.test with esmtp (Exim 4.96)\r\n\t(envelope-from <alice@org.test>)\r\n\tid 1xaM6B-0003Zy-0r\r\n\tfor bob@partner.test;\r\n\tSun, 06 Dec 2026 23:56:55 +0000\r\n'],
  ['OpenSMTPD 6.8.0p2, plaintext', 'opensmtpd', null,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (OpenSMTPD) with ESMTP id bcf5647f\r\n\tfor <bob@partner.test>;\r\n\tSun, 6 Dec 2026 23:57:47 +0000 (UTC)\r\n'],
];

// The same engines receiving one message for bob and carol on 7 December 2026: no `for` clause at all.
const TWO_RECIPIENTS: Array<[string, ReceivedFormat, ReceivedFacts['tls'], string]> = [
  ['Postfix 3.7.11, TLS 1.3', 'postfix', TLS13,
    'Received: from client.mailhop.test (unknown [127.0.0.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\tby rx.mailhop.test (Postfix) with ESMTPS id B892322D132;\r\n\tMon,  7 Dec 2026 00:32:09 +0000 (UTC)\r\n'],
  ['Postfix 3.7.11, plaintext', 'postfix', null,
    'Received: from client.mailhop.test (unknown [127.0.0.1])\r\n\tby rx.mailhop.test (Postfix) with ESMTP id 99AF322DA11;\r\n\tMon,  7 Dec 2026 00:29:50 +0000 (UTC)\r\n'],
  ['Sendmail 8.17.1.9, TLS 1.3', 'sendmail', TLS13,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (8.17.1.9/8.17.1.9) with ESMTPS id 6B70Wg4s011700\r\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO);\r\n\tMon, 7 Dec 2026 00:32:42 GMT\r\n'],
  ['Sendmail 8.17.1.9, plaintext', 'sendmail', null,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (8.17.1.9/8.17.1.9) with ESMTP id 6B70UJHL006989;\r\n\tMon, 7 Dec 2026 00:30:19 GMT\r\n'],
  ['Exim 4.96, TLS 1.3', 'exim', TLS13,
    'Received: from [127.0.0.1] (helo=client.mailhop.test)\r\n\tby rx.mailhop.test with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n\t(envelope-from <alice@org.test>)\r\n\tid 1xaMfM-0003AT-0a;\r\n\tMon, 07 Dec 2026 00:33:16 +0000\r\n'],
  ['Exim 4.96, plaintext', 'exim', null,
    'Received: from [127.0.0.1] (helo=client.mailhop.test)\r\n\tby rx.mailhop.test with esmtp (Exim 4.96)\r\n\t(envelope-from <alice@org.test>)\r\n\tid 1xaMd4-0002Af-1R;\r\n\tMon, 07 Dec 2026 00:30:54 +0000\r\n'],
  ['OpenSMTPD 6.8.0p2, plaintext', 'opensmtpd', null,
    'Received: from client.mailhop.test (localhost [127.0.0.1])\r\n\tby rx.mailhop.test (OpenSMTPD) with ESMTP id 15c9d4b8;\r\n\tMon, 7 Dec 2026 00:31:25 +0000 (UTC)\r\n'],
];

const withoutId = (header: string) => header.replace(/\bid [^\s;]+/, 'id <queue-id>');

describe('Received formats against headers the real engines wrote', () => {
  it.each(OBSERVED)('%s: written again byte for byte, queue id aside', (_name, format, tls, observed) => {
    expect(withoutId(receivedHeader(observedFacts(tls, observed, 1), format))).toBe(withoutId(observed));
  });

  it.each(TWO_RECIPIENTS)('%s, two recipients: no for clause, `;` after the id line, written again byte for byte', (_name, format, tls, observed) => {
    expect(withoutId(receivedHeader(observedFacts(tls, observed, 2), format))).toBe(withoutId(observed));
  });

  it('Exim names every TLS 1.3 suite with ECDHE_RSA, whatever the key (observed with Exim 4.96 and ECDSA keys)', () => {
    const by = (cipher: string) => receivedHeader({ ...facts13(), tls: { version: 'TLSv1.3', cipher } }, 'exim').split('\r\n')[1];
    expect(by('TLS_AES_128_GCM_SHA256')).toBe('\tby rx.mailhop.test with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(by('TLS_CHACHA20_POLY1305_SHA256')).toBe('\tby rx.mailhop.test with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
  });
});

/** The facts behind an observed header: the client, hop and message the engines saw, dated as the header says. */
function observedFacts(tls: ReceivedFacts['tls'], observed: string, recipientCount: number): ReceivedFacts {
  return {
    helo: 'client.mailhop.test', clientIp: '127.0.0.1', by: 'rx.mailhop.test', protocol: tls ? 'ESMTPS' : 'ESMTP', tls,
    queueId: '9FEA42223D', recipient: 'bob@partner.test', recipientCount, mailFrom: 'alice@org.test', date: receivedInstant(observed),
  };
}

function facts13(): ReceivedFacts {
  return {
    helo: 'client.mailhop.test', clientIp: '127.0.0.1', by: 'rx.mailhop.test', protocol: 'ESMTPS', tls: TLS13,
    queueId: '9FEA42223D', recipient: 'bob@partner.test', mailFrom: 'alice@org.test', date: new Date(Date.UTC(2026, 11, 6, 3, 4, 5)),
  };
}

describe('the day of the month, as each product pads it', () => {
  const sixth = new Date(Date.UTC(2026, 11, 6, 3, 4, 5));

  it('receivedDate: 06, space-padded 6, bare 6; time always two digits; GMT for Sendmail', () => {
    expect(receivedDate(sixth, 'zero')).toBe('Sun, 06 Dec 2026 03:04:05 +0000');
    expect(receivedDate(sixth, 'space')).toBe('Sun,  6 Dec 2026 03:04:05 +0000');
    expect(receivedDate(sixth, 'none', 'GMT')).toBe('Sun, 6 Dec 2026 03:04:05 GMT');
    expect(receivedDate(new Date(Date.UTC(2026, 10, 29, 20, 7, 20)), 'space')).toBe('Sun, 29 Nov 2026 20:07:20 +0000');
  });

  it.each([
    ['postfix', 'Sun,  6 Dec 2026 03:04:05 +0000 (UTC)'],
    ['sendmail', 'Sun, 6 Dec 2026 03:04:05 GMT'],
    ['exim', 'Sun, 06 Dec 2026 03:04:05 +0000'],
    ['opensmtpd', 'Sun, 6 Dec 2026 03:04:05 +0000 (UTC)'],
  ] as Array<[ReceivedFormat, string]>)('%s on the 6th ends with %j', (format, date) => {
    expect(receivedHeader(facts13(), format).endsWith(`${date}\r\n`)).toBe(true);
  });
});
