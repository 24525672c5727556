/**
 * The run's DNS server: authoritative for the scenario's zones, on loopback, over UDP and TCP (RFC 1035 §4.2;
 * TCP for a resolver that retries a truncated answer there). It answers as a validating recursive resolver
 * would: the AD bit on answers from `secure` zones (RFC 4035 §3.2.3), only to a query that set AD or DO
 * (RFC 6840 §5.7), SERVFAIL for `bogus` and `servfail` zones, and nothing at all for `timeout` zones. Names
 * outside every zone get REFUSED. Encoding and decoding are dns-packet's.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { enclosingZone, type DnsAnswers, type DnsName } from './dns-answers.js';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
/** DO, the "DNSSEC OK" bit of the EDNS0 OPT record's flags (RFC 3225 §3). */
const DNSSEC_OK = 0x8000;

/** A started DNS server: its address (UDP and TCP on the same port) and a stop. */
export interface StartedDnsServer extends AsyncDisposable {
  readonly address: { host: string; port: number };
  /** The last queries answered or dropped (at most {@link KEPT_QUERIES}, so a flood cannot grow memory), in order (for tests: what was asked). */
  readonly queries: ReadonlyArray<{ name: string; type: string }>;
  stop(): Promise<void>;
}

/** Queries {@link StartedDnsServer.queries} keeps: the newest, older ones dropped. */
export const KEPT_QUERIES = 1_000;

/** Tries of a fresh port when TCP finds the UDP port taken. */
const PORT_TRIES = 5;

/**
 * The reply to one query, or null when the zone times out (nothing is sent).
 * @param query a decoded query packet.
 */
export function answer(answers: DnsAnswers, query: dnsPacket.Packet): Buffer | null {
  const q = query.questions?.[0];
  const name = q?.name.toLowerCase() ?? '';
  const found: DnsName | undefined = answers.get(name) ?? enclosingZone(answers, apexes(answers), name);
  if (found?.status === 'timeout') return null;
  const optFlags = query.additionals?.find((a) => a.type === 'OPT') as { flags?: number } | undefined;
  const wantsAd = ((query.flags ?? 0) & dnsPacket.AUTHENTIC_DATA) !== 0 || ((optFlags?.flags ?? 0) & DNSSEC_OK) !== 0;
  let rcode: number = RCODE.NOERROR;
  if (!found) rcode = RCODE.REFUSED;
  else if (found.status === 'bogus' || found.status === 'servfail') rcode = RCODE.SERVFAIL;
  else if (!answers.has(name)) rcode = RCODE.NXDOMAIN;
  const records = rcode === RCODE.NOERROR && found ? found.records.filter((r) => r.type === q?.type) : [];
  const ad = rcode !== RCODE.SERVFAIL && rcode !== RCODE.REFUSED && found?.status === 'secure' && wantsAd;
  const flags = dnsPacket.RECURSION_AVAILABLE | (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED | (ad ? dnsPacket.AUTHENTIC_DATA : 0) | rcode;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags,
    questions: q ? [q] : [],
    answers: records.map((r) => ({ ...(r.type === 'TXT' ? { type: 'TXT', data: characterStrings(r.data) } : r), name, ttl: 300, class: 'IN' }) as dnsPacket.Answer),
  });
}

/**
 * A TXT record's text as RFC 1035 §3.3.14 holds it: character-strings of at most 255 bytes each (a longer policy
 * record is split; its reader joins the strings, RFC 7208 §3.3 and RFC 8461 §3.1 alike).
 */
export function characterStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 255) out.push(bytes.subarray(at, at + 255));
  return out.length > 0 ? out : [Buffer.alloc(0)];
}

/** The zone apexes (names that are their own zone). */
function apexes(answers: DnsAnswers): string[] {
  return [...answers].flatMap(([name, entry]) => (entry.zone === name ? [name] : []));
}

/**
 * Starts the server on `host` (loopback), an ephemeral port shared by UDP and TCP, or `port` when given (53 for a
 * real engine's resolver, which takes no port in resolv.conf(5); binding it needs root).
 * @throws the bind error (`EADDRINUSE`, `EACCES`) when a given `port` cannot be had.
 */
export async function startDnsServer(answers: DnsAnswers, host = '127.0.0.1', port = 0): Promise<StartedDnsServer> {
  const queries: Array<{ name: string; type: string }> = [];
  const reply = (packet: Buffer): Buffer | null => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(packet);
    } catch {
      return null; // not DNS: nothing to answer
    }
    const q = query.questions?.[0];
    if (q) queries.push({ name: q.name.toLowerCase(), type: q.type });
    // Dropped in batches, so a flood costs O(1) per query.
    if (queries.length >= 2 * KEPT_QUERIES) queries.splice(0, queries.length - KEPT_QUERIES);
    return answer(answers, query);
  };
  for (let tries = 1; ; tries++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      const out = reply(msg);
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => resolve());
    });
    const bound = udp.address().port;
    const tcp = net.createServer((socket) => serveTcp(socket, reply));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(bound, host, () => resolve());
      });
    } catch (err) {
      udp.close();
      if (port === 0 && tries < PORT_TRIES && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      throw err;
    }
    const stop = async () => {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    };
    return { address: { host, port: bound }, queries, stop, [Symbol.asyncDispose]: stop };
  }
}

/** DNS over TCP: each message behind its two-byte length (RFC 1035 §4.2.2). */
function serveTcp(socket: net.Socket, reply: (packet: Buffer) => Buffer | null): void {
  let buffered = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const out = reply(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      if (out) socket.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
    }
  });
}
