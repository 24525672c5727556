/**
 * The run's DNS server answers as a validating resolver would, on the wire: the AD bit for secure zones only (and
 * only to a query that asks for it), SERVFAIL for bogus and failing zones, silence for a zone that times out,
 * NXDOMAIN below a zone and REFUSED outside every zone. Asked with mailhop's own stub resolver and with raw packets.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsAnswers } from '../../harness/dns/dns-answers.js';
import { KEPT_QUERIES, startDnsServer, type StartedDnsServer } from '../../harness/dns/dns-server.js';
import { dnsLookup } from '../../harness/dns/dns-lookup.js';
import { DnsZones } from '../../harness/scenario/dns-zones.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { tlsaData } from '../../harness/dns/tlsa-data.js';
import { X509Certificate, createHash } from 'node:crypto';

const zones = DnsZones.parse({
  'secure.test': { dnssec: 'secure', mx: [{ hop: 'mx-a', preference: 20 }, { hop: 'mx-b', preference: 10 }], mtaSts: 'v=STSv1; id=1' },
  'plain.test': { mx: [{ hop: 'mx-c', preference: 10 }] },
  'bogus.test': { dnssec: 'bogus', mx: [{ hop: 'mx-a', preference: 10 }] },
  'broken.test': { dnssec: 'servfail', mx: [{ hop: 'mx-a', preference: 10 }] },
  'silent.test': { dnssec: 'timeout', mx: [{ hop: 'mx-a', preference: 10 }] },
  'long.test': { mx: [{ hop: 'mx-a', preference: 10 }], tlsRpt: `v=TLSRPTv1; rua=mailto:${'r'.repeat(300)}@long.test` },
});

let server: StartedDnsServer;
beforeAll(async () => {
  server = await startDnsServer(dnsAnswers(zones, () => ({ served: '', old: '', issuer: '' })));
});
afterAll(() => server.stop());

/** Sends one raw query and returns the decoded answer. */
async function ask(name: string, type: dnsPacket.RecordType, flags: number): Promise<dnsPacket.DecodedPacket & { rcode?: string }> {
  const socket = dgram.createSocket('udp4');
  try {
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(dnsPacket.encode({ type: 'query', id: 7, flags, questions: [{ type, name, class: 'IN' }] }), server.address.port, server.address.host);
    return dnsPacket.decode(await answer) as dnsPacket.DecodedPacket & { rcode?: string };
  } finally {
    socket.close();
  }
}

describe('the run\'s DNS server', () => {
  it('answers a secure zone\'s MX with the AD bit, both MX hosts at their preferences', async () => {
    const found = await dnsLookup(server.address, 'secure.test', 'MX', 2_000);
    expect(found.outcome).toBe('answer');
    expect(found.ad).toBe(true);
    expect(found.records.map((r) => (r as dnsPacket.MxAnswer).data)).toEqual([
      { preference: 20, exchange: 'mx-a.mailhop.test' },
      { preference: 10, exchange: 'mx-b.mailhop.test' },
    ]);
    expect(server.queries).toContainEqual({ name: 'secure.test', type: 'MX' });
  });

  it('sets AD only when the query asked for it (AD or DO), as RFC 6840 §5.7 says', async () => {
    const without = await ask('secure.test', 'MX', dnsPacket.RECURSION_DESIRED);
    expect(without.flag_ad).toBe(false);
    expect(without.answers).toHaveLength(2);
    const withAd = await ask('secure.test', 'MX', dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA);
    expect(withAd.flag_ad).toBe(true);
  });

  it('never sets AD for an insecure zone', async () => {
    const found = await dnsLookup(server.address, 'plain.test', 'MX', 2_000);
    expect([found.outcome, found.ad, found.records.length]).toEqual(['answer', false, 1]);
  });

  it('answers SERVFAIL for a bogus zone and for a failing one, with no records', async () => {
    for (const name of ['bogus.test', 'broken.test']) {
      const raw = await ask(name, 'MX', dnsPacket.AUTHENTIC_DATA);
      expect(raw.rcode).toBe('SERVFAIL');
      expect(raw.answers).toEqual([]);
      expect(raw.flag_ad).toBe(false);
    }
  });

  it('never answers for a zone that times out', async () => {
    const found = await dnsLookup(server.address, 'silent.test', 'MX', 300);
    expect(found.outcome).toBe('timeout');
    expect(server.queries).toContainEqual({ name: 'silent.test', type: 'MX' });
  });

  it('says NXDOMAIN below a zone (with its AD bit) and REFUSED outside every zone', async () => {
    const below = await dnsLookup(server.address, 'nothing.secure.test', 'MX', 2_000);
    expect([below.outcome, below.ad]).toEqual(['nxdomain', true]);
    const outside = await dnsLookup(server.address, 'elsewhere.example', 'MX', 2_000);
    expect(outside.outcome).toBe('refused');
  });

  it('serves the _mta-sts TXT record, and an empty answer (NODATA) for a type the name lacks', async () => {
    const txt = await dnsLookup(server.address, '_mta-sts.secure.test', 'TXT', 2_000);
    expect(txt.records.map((r) => Buffer.concat((r as dnsPacket.TxtAnswer).data as Buffer[]).toString())).toEqual(['v=STSv1; id=1']);
    const none = await dnsLookup(server.address, 'secure.test', 'TXT', 2_000);
    expect([none.outcome, none.records]).toEqual(['answer', []]);
  });

  it('splits a TXT record longer than 255 bytes into character-strings (RFC 1035 §3.3.14) that decode and join back', async () => {
    const answer = await ask('_smtp._tls.long.test', 'TXT', 0);
    const [record] = answer.answers as dnsPacket.TxtAnswer[];
    const strings = record.data as Buffer[];
    const text = `v=TLSRPTv1; rua=mailto:${'r'.repeat(300)}@long.test`;
    expect(strings.map((b) => b.length)).toEqual([255, text.length - 255]);
    expect(Buffer.concat(strings).toString()).toBe(`v=TLSRPTv1; rua=mailto:${'r'.repeat(300)}@long.test`);
  });

  it('keeps only the newest queries, so a flood cannot grow its memory', async () => {
    const flood = await startDnsServer(dnsAnswers(zones, () => ({ served: '', old: '', issuer: '' })));
    try {
      // 2,100 lookups, 50 at a time (a UDP burst larger than the socket buffer would lose queries, not test the cap).
      for (let i = 0; i < 2_100; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => dnsLookup(flood.address, `n${i + j}.plain.test`, 'MX', 5_000)));
      }
      expect(flood.queries.length).toBeLessThan(2 * KEPT_QUERIES);
      expect(flood.queries.at(-1)?.name).toMatch(/^n\d+\.plain\.test$/);
    } finally {
      await flood.stop();
    }
  });

  it('answers over TCP as over UDP (RFC 1035 §4.2.2 framing)', async () => {
    const net = await import('node:net');
    const socket = net.connect(server.address.port, server.address.host);
    const query = dnsPacket.streamEncode({ type: 'query', id: 9, flags: dnsPacket.AUTHENTIC_DATA, questions: [{ type: 'MX', name: 'secure.test', class: 'IN' }] });
    const reply = await new Promise<Buffer>((resolve) => {
      let got = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) resolve(got);
      });
      socket.write(query);
    });
    socket.destroy();
    const decoded = dnsPacket.streamDecode(reply) as dnsPacket.DecodedPacket;
    expect([decoded.flag_ad, decoded.answers?.length]).toEqual([true, 2]);
  });
});

describe('TLSA association data', () => {
  it('is the served certificate\'s SPKI SHA-256 for 3 1 1, the CA\'s for an issuer record, and another key\'s after a roll', async () => {
    const pki = await RunPki.create();
    const served = await pki.issue('mx-a.mailhop.test', 'valid');
    const old = await pki.issue('mx-a.mailhop.test', 'valid');
    const sources = { served: served.cert, old: old.cert, issuer: pki.ca.cert };
    const spkiHash = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest();
    expect(tlsaData({ usage: 3, selector: 1, matchingType: 1, matches: 'served-key' }, sources)).toEqual(spkiHash(served.cert));
    expect(tlsaData({ usage: 2, selector: 1, matchingType: 1, matches: 'issuer' }, sources)).toEqual(spkiHash(pki.ca.cert));
    expect(tlsaData({ usage: 3, selector: 1, matchingType: 1, matches: 'old-key' }, sources)).not.toEqual(spkiHash(served.cert));
    expect(tlsaData({ usage: 3, selector: 0, matchingType: 0, matches: 'served-key' }, sources)).toEqual(new X509Certificate(served.cert).raw);
    expect(tlsaData({ usage: 3, selector: 1, matchingType: 2, matches: 'garbage' }, sources)).toHaveLength(64);
  });
});
