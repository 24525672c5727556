// What a real engine cannot be configured to do is a scenario error naming the engine and the option,
// with file:line:column like every other problem (pure: no engine runs here).
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { scenarioProblems, yamlLines } from '../support/scenario-problems.js';

const MESSAGES = 'messages: [{ from: a@b.test, to: [c@d.test] }]';
const EXIM_CIPHERS = 'this Exim is built with GnuTLS, whose tls_require_ciphers is a GnuTLS priority string (e.g. NORMAL:+NULL), and an OpenSSL cipher string has no faithful translation into one';

const problems = (...hops: string[]): string[] => scenarioProblems(yamlLines('name: x', 'hops:', ...hops, MESSAGES));

describe('engine options a real MTA cannot take', () => {
  it('a fake inbound mode: put a link fault in front instead', () => {
    expect(problems('  - id: relay', '    engine: postfix', '    inbound: { starttls: fake-454 }', '  - id: mx')).toEqual([
      'x.yaml:5:26: hops[0].inbound.starttls: engine postfix cannot fake STARTTLS (inbound.starttls: fake-454): a real MTA answers honestly; put a link fault in front instead (links: [{ from: ..., to: relay, fault: ... }])',
    ]);
  });

  it("inbound STARTTLS on Debian 12's OpenSMTPD", () => {
    expect(problems('  - id: relay', '    engine: opensmtpd', '    inbound: { starttls: offer }', '  - id: mx')).toEqual([
      'x.yaml:5:26: hops[0].inbound.starttls: engine opensmtpd cannot do inbound.starttls: offer (Debian 12\'s OpenSMTPD 6.8.0p2 fails every inbound TLS handshake with OpenSSL 3: "missing private key", OpenSMTPD#1171); it supports none',
    ]);
  });

  it('a fallback flavour the engine does not have, and settings that are its own', () => {
    expect(problems('  - id: relay', '    engine: postfix', '    outbound: { fallback: reconnect, retry: [1s], replies: exim }', '  - id: mx')).toEqual([
      'x.yaml:5:27: hops[0].outbound.fallback: engine postfix cannot do outbound.fallback: reconnect; after a failed handshake it defers and falls back to plaintext on a later attempt (next-attempt)',
      'x.yaml:5:45: hops[0].outbound.retry: engine postfix cannot take outbound.retry: it retries on its own real-time schedule (every 1-3 s, as mailhop configures it)',
      'x.yaml:5:60: hops[0].outbound.replies: engine postfix cannot take outbound.replies: it uses its own reply texts',
    ]);
    expect(problems('  - id: relay', '    engine: exim', '    outbound: { concurrencyLimit: 2 }', '  - id: mx')).toEqual([
      'x.yaml:5:35: hops[0].outbound.concurrencyLimit: engine exim cannot take outbound.concurrencyLimit: its destination concurrency is its own',
    ]);
  });

  it('sendmail falls back only with TLSFallbacktoClear (reconnect) or never; next-attempt is Postfix', () => {
    expect(problems('  - id: relay', '    engine: sendmail', '    outbound: { fallback: next-attempt }', '  - id: mx')).toEqual([
      'x.yaml:5:27: hops[0].outbound.fallback: engine sendmail cannot do outbound.fallback: next-attempt; after a failed handshake it defers and retries with TLS, never in plaintext (never) (or reconnect)',
    ]);
    expect(problems('  - id: relay', '    engine: sendmail', '    outbound: { fallback: reconnect }', '  - id: mx')).toEqual([]);
  });

  it("a hop without fallback gets its engine's own, not the mock's reconnect (a Sendmail hop gets no TLSFallbacktoClear)", () => {
    const fallbacks = (...hops: string[]) =>
      loadScenarioText(yamlLines('name: x', 'hops:', ...hops, '  - id: mx', MESSAGES), 'x.yaml').scenario.hops.slice(0, -1).map((h) => h.outbound?.tls === 'opportunistic' && h.outbound.fallback);
    expect(fallbacks('  - id: a', '    engine: postfix', '  - id: b', '    engine: sendmail', '  - id: c', '    engine: exim', '  - id: d', '    engine: opensmtpd', '    inbound: { starttls: none }', '  - id: e'))
      .toEqual(['next-attempt', 'never', 'reconnect', 'reconnect', 'reconnect']);
    expect(fallbacks('  - id: a', '    engine: sendmail', '    outbound: { fallback: reconnect }', '  - id: b', '    engine: exim', '    outbound: { fallback: never }')).toEqual(['reconnect', 'never']);
    expect(fallbacks('  - id: a', '    engine: sendmail', '    outbound: { tls: mandatory }')).toEqual([false]);
  });

  it('preserve-inbound, a preset on a real engine, and engines that cannot be the mailbox', () => {
    expect(problems('  - id: relay', '    engine: exim', '    preset: exim', '    outbound: { tls: preserve-inbound }', '  - id: mx', '    engine: sendmail')).toEqual([
      'x.yaml:5:13: hops[0].preset: engine exim runs the real MTA; preset: is for mock hops (choose one of them)',
      'x.yaml:6:22: hops[0].outbound.tls: engine exim cannot do outbound.tls: preserve-inbound (no real MTA here does that; use a mock hop, e.g. preset: messagelabs); it supports none, opportunistic, mandatory, verify',
    ]);
    expect(problems('  - id: relay', '  - id: mx', '    engine: sendmail')).toEqual([
      'x.yaml:5:13: hops[1].engine: engine sendmail cannot be the last hop (final mailbox); put a mock hop after it',
    ]);
  });

  it('a policy the engine cannot do does not hide the other keys it cannot take, its own refusals included', () => {
    expect(problems('  - id: relay', '    engine: exim', '    outbound: { tls: preserve-inbound, retry: [1m], tlsCiphers: ALL, timeout: 2s }', '  - id: mx')).toEqual([
      'x.yaml:5:22: hops[0].outbound.tls: engine exim cannot do outbound.tls: preserve-inbound (no real MTA here does that; use a mock hop, e.g. preset: messagelabs); it supports none, opportunistic, mandatory, verify',
      'x.yaml:5:47: hops[0].outbound.retry: engine exim cannot take outbound.retry: it retries on its own real-time schedule (every 1-3 s, as mailhop configures it)',
      `x.yaml:5:65: hops[0].outbound.tlsCiphers: engine exim cannot take outbound.tlsCiphers: ${EXIM_CIPHERS}`,
    ]);
  });

  it('verify, timeouts and ciphers, where the product has the setting: parsed into ms and the cipher string', () => {
    const outbound = (...hop: string[]) => loadScenarioText(yamlLines('name: x', 'hops:', ...hop, '  - id: mx', MESSAGES), 'x.yaml').scenario.hops[0].outbound;
    for (const engine of ['postfix', 'sendmail']) {
      expect(outbound('  - id: relay', `    engine: ${engine}`, '    outbound: { tls: verify, timeout: 2s, starttlsTimeout: 1m, tlsCiphers: "ALL:eNULL:@SECLEVEL=0" }'))
        .toEqual({ tls: 'verify', timeout: 2000, starttlsTimeout: 60000, tlsCiphers: 'ALL:eNULL:@SECLEVEL=0' });
    }
    expect(outbound('  - id: relay', '    engine: exim', '    outbound: { tls: verify, timeout: 2s, starttlsTimeout: 2s }')).toEqual({ tls: 'verify', timeout: 2000, starttlsTimeout: 2000 });
    expect(outbound('  - id: relay', '    engine: opensmtpd', '    inbound: { starttls: none }', '    outbound: { tls: verify, tlsCiphers: HIGH }')).toEqual({ tls: 'verify', tlsCiphers: 'HIGH' });
    // Absent, the product keeps its own: no mock default (5s) is filled in.
    expect(outbound('  - id: relay', '    engine: postfix')).toEqual({ tls: 'opportunistic', fallback: 'next-attempt', starttlsRejected: 'continue' });
  });

  it('time limits in whole seconds; Exim\'s one limit for the handshake and replies; no timeouts on OpenSMTPD; no cipher string that would break a configuration file', () => {
    expect(problems('  - id: relay', '    engine: postfix', '    outbound: { timeout: 1500ms, starttlsTimeout: 0 }', '  - id: mx')).toEqual([
      'x.yaml:5:26: hops[0].outbound.timeout: engine postfix cannot take outbound.timeout: 1500ms; its time limits are whole seconds, at least 1s',
      'x.yaml:5:51: hops[0].outbound.starttlsTimeout: engine postfix cannot take outbound.starttlsTimeout: 0ms; its time limits are whole seconds, at least 1s',
    ]);
    // Exim has one limit for the handshake and each reply: starttlsTimeout alone sets it, beside a different timeout it cannot.
    expect(problems('  - id: relay', '    engine: exim', '    outbound: { starttlsTimeout: 2s }', '  - id: mx')).toEqual([]);
    expect(problems('  - id: relay', '    engine: exim', '    outbound: { tls: mandatory, timeout: 1m, starttlsTimeout: 2s }', '  - id: mx')).toEqual([
      "x.yaml:5:63: hops[0].outbound.starttlsTimeout: engine exim cannot take outbound.starttlsTimeout: 2s beside outbound.timeout: 1m; it writes both into the smtp transport's command_timeout, which times the TLS handshake and every reply alike (tls-gnu.c): give one value",
    ]);
    expect(problems('  - id: relay', '    engine: opensmtpd', '    inbound: { starttls: none }', '    outbound: { timeout: 2s }', '  - id: mx')).toEqual([
      "x.yaml:6:26: hops[0].outbound.timeout: engine opensmtpd cannot take outbound.timeout: its SMTP client's time limit is compiled in (300 s for each read, write and the TLS handshake, mta_session.c); smtpd.conf(5) has no setting for it",
    ]);
    expect(problems('  - id: relay', '    engine: sendmail', '    outbound: { tlsCiphers: "HIGH;x" }', '  - id: mx')).toContain(
      'x.yaml:5:29: hops[0].outbound.tlsCiphers: must be an OpenSSL cipher string of letters, digits and : + ! @ = _ . , - only (it goes into the engine\'s configuration file); got "HIGH;x"',
    );
  });

  it('external needs host and port, takes no inbound/outbound, is followed by a mock', () => {
    expect(problems('  - id: gw', '    engine: external', '    outbound: { tls: none }', '  - id: mx')).toEqual([
      'x.yaml:3:5: hops[0].host: engine external needs host: the address of the server mailhop does not start (an IPv4 address)',
      'x.yaml:3:5: hops[0].port: engine external needs port: where the server listens for SMTP',
      'x.yaml:5:15: hops[0].outbound: engine external cannot take outbound: mailhop does not configure a server it does not start; configure the gateway itself',
    ]);
    expect(problems('  - id: gw', '    engine: external', '    host: 127.0.0.1', '    port: 2525', '  - id: mx', '    port: 2526')).toEqual([]);
    expect(problems('  - id: a', '  - id: mx', '    port: 2526')).toEqual([
      'x.yaml:5:11: hops[1].port: host and port on a mock hop only say where it listens for the external gateway before it (or, port: on the first hop, where mail is sent to); the previous hop is not engine external',
    ]);
  });

  it('the first hop takes port: (its fixed "send to" port), but not host:', () => {
    expect(problems('  - id: a', '    port: 1025', '  - id: mx')).toEqual([]);
    expect(problems('  - id: a', '    host: 127.0.0.2', '    port: 1025', '  - id: mx')).toEqual([
      'x.yaml:4:11: hops[0].host: host on the first hop: its "send to" address is always on loopback; port: alone fixes the port',
    ]);
  });
});
