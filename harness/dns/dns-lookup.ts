/**
 * mailhop's own stub resolver: one query over UDP to the run's DNS server, reading the AD bit of the answer
 * (RFC 4035 §3.2.3), which Node's resolver (c-ares) does not expose. It asks with AD set (RFC 6840 §5.7), as a
 * DANE client must learn whether its answers were validated (RFC 7672 §2.1).
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** How a lookup ended: an answer (maybe empty: NODATA), no such name, a failure, or silence until the timeout. */
export type LookupOutcome = 'answer' | 'nxdomain' | 'servfail' | 'refused' | 'timeout';

/** What one lookup found. */
export interface DnsLookup {
  name: string;
  type: 'MX' | 'TLSA' | 'TXT' | 'A';
  outcome: LookupOutcome;
  /** The answer carried the AD bit: the resolver validated it (DNSSEC `secure`). */
  ad: boolean;
  /** The answer's records of the type asked for. */
  records: dnsPacket.Answer[];
}

/** Where the run's DNS server listens. */
export interface DnsServerAddress {
  host: string;
  port: number;
}

/**
 * Looks `name` up. Never throws for what the server answers or fails to answer: a timeout after `timeoutMs`
 * (real time) is an outcome.
 */
export function dnsLookup(server: DnsServerAddress, name: string, type: DnsLookup['type'], timeoutMs: number): Promise<DnsLookup> {
  const id = Math.floor(Math.random() * 0xffff);
  const query = dnsPacket.encode({
    type: 'query', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA, questions: [{ type, name, class: 'IN' }],
  });
  const socket = dgram.createSocket('udp4');
  return new Promise<DnsLookup>((resolve) => {
    const done = (found: Omit<DnsLookup, 'name' | 'type'>) => {
      clearTimeout(timer);
      socket.close();
      resolve({ name, type, ...found });
    };
    const timer = setTimeout(() => done({ outcome: 'timeout', ad: false, records: [] }), timeoutMs);
    socket.on('error', () => done({ outcome: 'servfail', ad: false, records: [] }));
    socket.on('message', (msg) => {
      let reply: dnsPacket.DecodedPacket;
      try {
        reply = dnsPacket.decode(msg);
      } catch {
        return; // not an answer: keep waiting
      }
      if (reply.id !== id) return;
      const rcode = (reply as { rcode?: string }).rcode;
      const outcome: LookupOutcome = rcode === 'NOERROR' ? 'answer' : rcode === 'NXDOMAIN' ? 'nxdomain' : rcode === 'REFUSED' ? 'refused' : 'servfail';
      done({ outcome, ad: reply.flag_ad === true, records: (reply.answers ?? []).filter((a) => a.type === type) });
    });
    socket.send(query, server.port, server.host);
  });
}
