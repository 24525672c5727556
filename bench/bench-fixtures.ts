/**
 * What the bench sends and through what: the same ~2 KB message for mailhop and the baseline
 * (~2 KB, a small everyday message), and plain all-`offer` chains.
 */
import { Scenario, type Message } from '../harness/scenario/schema.js';

const BODY = `${'mailhop bench: one line of text to give the message a realistic size.\n'.repeat(20)}`;

/** Message number `i` (subject and body only differ by the number). */
export function benchMessage(i: number): Message {
  return { from: 'alice@org.test', to: ['bob@partner.test'], subject: `bench message ${i}`, body: `${i}\n${BODY}`, headers: {}, attachments: [] };
}

/**
 * A chain of `hops` hops (`h1`, `h2`, ...): every inbound `offer` with a valid certificate,
 * every outbound and the submission opportunistic, greeting at once unless `greetingDelay` says.
 */
export function offerChain(hops: number, greetingDelay: string | number = 0): Scenario {
  return Scenario.parse({
    name: `bench-${hops}-hops`,
    submit: { tls: 'opportunistic' },
    hops: Array.from({ length: hops }, (_, i) => ({ id: `h${i + 1}`, inbound: { starttls: 'offer', greetingDelay } })),
    messages: [benchMessage(0)],
  });
}

/**
 * `offerChain` with connection reuse on every client (`outbound.reuse: all`, `connectionCache: always`,
 * docs/behaviour.md#B-reuse): at most `concurrencyLimit` sessions per next hop, each kept open for the next message
 * while the chain is busy, so messages in flight ride the open ones; each later transaction on a session starts with an
 * RSET probe (`reuseProbe: rset`), and its MAIL, RCPT and DATA go as one pipelined group (`pipelining: true`, RFC 2920).
 * Postfix with smtp_tls_connection_reuse = yes and the next hop in smtp_connection_cache_destinations works so.
 * `reuseProbe: 'none'` leaves the probe out (MAIL at once on a kept session), to show what the probe costs.
 */
export function reuseChain(hops: number, concurrencyLimit = 2, reuseProbe: 'rset' | 'none' = 'rset'): Scenario {
  const reuse = { tls: 'opportunistic', reuse: 'all', connectionCache: 'always', reuseProbe, pipelining: true, concurrencyLimit } as const;
  return Scenario.parse({
    name: `bench-${hops}-hops-reuse`,
    submit: reuse,
    hops: Array.from({ length: hops }, (_, i) => ({ id: `h${i + 1}`, inbound: { starttls: 'offer', greetingDelay: 0 }, ...(i < hops - 1 ? { outbound: reuse } : {}) })),
    messages: [benchMessage(0)],
  });
}

/**
 * `offerChain(3)` with its last link routed by DNS: `h2` routes by MX (`outbound.route: mx`, `dane: honor`) and
 * partner.test's signed zone names `h3` as its MX, with a DANE-EE TLSA record for it. Every message costs the MX and
 * TLSA lookups in the run's DNS and a DANE match, on top of the same three STARTTLS hops.
 */
export function dnsRoutedChain(): Scenario {
  return Scenario.parse({
    name: 'bench-3-hops-dns',
    submit: { tls: 'opportunistic' },
    hops: [
      { id: 'h1', inbound: { starttls: 'offer', greetingDelay: 0 } },
      { id: 'h2', inbound: { starttls: 'offer', greetingDelay: 0 }, outbound: { tls: 'opportunistic', route: 'mx', dane: 'honor' } },
      { id: 'h3', inbound: { starttls: 'offer', greetingDelay: 0 } },
    ],
    dns: { 'partner.test': { dnssec: 'secure', mx: [{ hop: 'h3', preference: 10 }], tlsa: { h3: [{ usage: 3, selector: 1, matchingType: 1, matches: 'served-key' }] } } },
    messages: [benchMessage(0)],
  });
}

/**
 * `offerChain` with TLS session resumption on every client (`outbound.tlsResumption: tickets`,
 * docs/behaviour.md#B-resumption): every message still opens its own connections, but after the first each
 * handshake resumes the session the next hop issued before (no certificate crosses).
 */
export function resumeChain(hops: number): Scenario {
  const resume = { tls: 'opportunistic', tlsResumption: 'tickets' } as const;
  return Scenario.parse({
    name: `bench-${hops}-hops-resume`,
    submit: resume,
    hops: Array.from({ length: hops }, (_, i) => ({ id: `h${i + 1}`, inbound: { starttls: 'offer', greetingDelay: 0 }, ...(i < hops - 1 ? { outbound: resume } : {}) })),
    messages: [benchMessage(0)],
  });
}
