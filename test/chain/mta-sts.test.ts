/**
 * MTA-STS (RFC 8461) as mailhop's own sender applies it when it routes by MX with `mtaSts: honor`: judged on what
 * the policy host served (its own account of each HTTPS request), what crossed each MX link's wire, what the MX host
 * accepted, and the replies that stopped the message.
 */
import { describe, expect, it } from 'vitest';
import { runInline, verbs } from '../support/chain.js';
import type { AcceptedEvent, MtaStsEvent, PolicyServedEvent } from '../../harness/trace/events.js';
import type { ScenarioInput } from '../../harness/scenario/schema.js';

type Zone = Record<string, unknown>;
const POLICY = { mode: 'enforce', mx: ['*.mailhop.test'], maxAge: '7d' };
const TXT = 'v=STSv1; id=20261201';

/** relay (routing by MX, opportunistic, MTA-STS as asked) -> mx, partner.test's zone as given. */
function stsChain(zone: Zone, options: { mtaSts?: 'honor' | 'ignore'; cache?: object; mx?: object; links?: ScenarioInput['links']; hops?: ScenarioInput['hops']; dns?: Zone } = {}): Partial<ScenarioInput> {
  return {
    hops: options.hops ?? [
      { id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', mtaSts: options.mtaSts ?? 'honor', retry: ['10m'], ...(options.cache ? { mtaStsCache: options.cache } : {}) } },
      { id: 'mx', ...options.mx },
    ],
    dns: (options.dns ?? { 'partner.test': { mx: [{ hop: 'mx', preference: 10 }], mtaSts: TXT, ...zone } }) as ScenarioInput['dns'],
    links: options.links ?? [],
    runFor: '15m',
  };
}

type Run = Awaited<ReturnType<typeof runInline>>;
const served = (run: Run) => run.events.filter((e): e is PolicyServedEvent => e.kind === 'policy-served').map((e) => `${e.method} ${e.path} sni=${e.servername} host=${e.host} -> ${e.status}`);
const accepted = (run: Run, link = 'relay->mx') => run.events.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === link);
const discoveries = (run: Run) => run.events.filter((e): e is MtaStsEvent => e.kind === 'mta-sts' && e.step === 'policy');
const STRIP: ScenarioInput['links'] = [{ from: 'relay', to: 'mx', fault: 'strip-starttls' }];
const FETCHED = 'GET /.well-known/mta-sts.txt sni=mta-sts.partner.test host=mta-sts.partner.test -> 200';

describe('MTA-STS for mailhop\'s own sender', () => {
  it('fetches the policy over HTTPS once, then keeps a stripped message off the wire under enforce; ignored, the strip wins', async () => {
    const held = await runInline(stsChain({ stsPolicy: POLICY }, { links: STRIP }));
    expect(served(held)).toEqual([FETCHED]); // the retry at +10m finds id 20261201 unchanged: no second fetch
    const wire = held.wire('relay->mx');
    expect(wire).toHaveLength(2);
    for (const record of wire) {
      expect(verbs(record)).toEqual(['EHLO', 'QUIT']);
      expect(record.plaintextMessageIds).toEqual([]);
    }
    expect(held.mailbox).toEqual([]);
    expect(held.sessions('relay->mx').map((s) => [s.policy, s.reply.text])).toEqual([
      ['verify', '450 4.7.4 TLS is required, but was not offered by host mx.mailhop.test'],
      ['verify', '450 4.7.4 TLS is required, but was not offered by host mx.mailhop.test'],
    ]);
    const link = held.report.messages[0].links[1];
    expect([link.verdict, link.policy?.source, link.failures?.map((f) => f.type)]).toEqual(['refused', 'mta-sts', ['starttls-not-supported', 'starttls-not-supported']]);
    expect([held.report.messages[0].endToEnd, held.report.passed]).toEqual(['held', true]);

    const ignored = await runInline(stsChain({ stsPolicy: POLICY }, { links: STRIP, mtaSts: 'ignore' }));
    expect(served(ignored)).toEqual([]);
    expect(ignored.wire('relay->mx')[0].plaintextMessageIds).toEqual(['m1']);
    expect(ignored.report.messages[0].links[1].verdict).toBe('stripped');
  });

  it('delivers under enforce over TLS with a certificate valid for the MX name: tls-verified', async () => {
    const run = await runInline(stsChain({ stsPolicy: POLICY }));
    expect(accepted(run).map((e) => e.secure)).toEqual([true]);
    expect(run.wire('relay->mx')[0].handshake).toBe('established');
    const link = run.report.messages[0].links[1];
    expect([link.verdict, link.policy?.source]).toEqual(['tls-verified', 'mta-sts']);
  });

  it('refuses under enforce a certificate that names another host: TLS up, nothing sent, certificate-host-mismatch', async () => {
    const run = await runInline(stsChain({ stsPolicy: POLICY }, { mx: { inbound: { cert: 'wrong-host' } } }));
    expect(run.wire('relay->mx').map((r) => [r.handshake, r.plaintextData])).toEqual([['established', false], ['established', false]]);
    expect(accepted(run)).toEqual([]);
    expect(run.report.messages[0].links[1].failures?.map((f) => f.type)).toEqual(['certificate-host-mismatch', 'certificate-host-mismatch']);
  });

  it('under testing delivers as opportunistic and records the failures (a strip; a wrong-name certificate)', async () => {
    const stripped = await runInline(stsChain({ stsPolicy: { ...POLICY, mode: 'testing' } }, { links: STRIP }));
    expect(stripped.wire('relay->mx')[0].plaintextMessageIds).toEqual(['m1']);
    expect(accepted(stripped).map((e) => e.secure)).toEqual([false]);
    const link = stripped.report.messages[0].links[1];
    expect([link.verdict, link.policy?.source, link.leak, link.failures?.map((f) => f.type)]).toEqual(['stripped', 'mta-sts', false, ['starttls-not-supported']]);

    const wrongName = await runInline(stsChain({ stsPolicy: { ...POLICY, mode: 'testing' } }, { mx: { inbound: { cert: 'wrong-host' } } }));
    expect(accepted(wrongName).map((e) => e.secure)).toEqual([true]);
    expect(wrongName.report.messages[0].links[1].failures?.map((f) => f.type)).toEqual(['certificate-host-mismatch']);
    expect(wrongName.report.messages[0].links[1].verdict).toBe('tls');
  });

  it('passes by an MX host the enforce policy does not list for the next one that it does', async () => {
    const run = await runInline(stsChain({}, {
      hops: [{ id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', mtaSts: 'honor' } }, { id: 'primary' }, { id: 'backup' }],
      dns: { 'partner.test': { mx: [{ hop: 'primary', preference: 10 }, { hop: 'backup', preference: 20 }], mtaSts: TXT, stsPolicy: { ...POLICY, mx: ['backup.mailhop.test'] } } },
    }));
    expect(run.wire('relay->primary')).toEqual([]);
    expect(accepted(run, 'relay->backup').map((e) => e.secure)).toEqual([true]);
    const [, primary, backup] = run.report.messages[0].links;
    expect([primary.verdict, primary.failures?.map((f) => f.type), primary.failures?.[0].detail]).toEqual([
      'none', ['validation-failure'], 'mx-mismatch: primary.mailhop.test matches none of backup.mailhop.test: not used under enforce (RFC 8461 §4.1)',
    ]);
    expect(backup.verdict).toBe('tls-verified');
  });

  it('names each way a fetch fails by its RFC 8460 result type, never follows a redirect, and then has no policy', async () => {
    const cases: Array<[object, string, string[]]> = [
      [{ serve: 'unreachable' }, 'sts-policy-fetch-error', []],
      [{ serve: 'timeout' }, 'sts-policy-fetch-error', []],
      [{ serve: 'not-found' }, 'sts-policy-fetch-error', ['GET /.well-known/mta-sts.txt sni=mta-sts.partner.test host=mta-sts.partner.test -> 404']],
      [{ serve: 'redirect' }, 'sts-policy-fetch-error', ['GET /.well-known/mta-sts.txt sni=mta-sts.partner.test host=mta-sts.partner.test -> 301']],
      [{ serve: 'wrong-content-type' }, 'sts-policy-invalid', [FETCHED]],
      [{ serve: 'bad-syntax' }, 'sts-policy-invalid', [FETCHED]],
      [{ cert: 'expired' }, 'sts-webpki-invalid', []],
      [{ cert: 'wrong-host' }, 'sts-webpki-invalid', []],
      [{ cert: 'untrusted-ca' }, 'sts-webpki-invalid', []],
    ];
    const runs = await Promise.all(cases.map(([host]) => runInline(stsChain({ stsPolicy: { ...POLICY, ...host } }, { links: STRIP }))));
    expect(runs.map((run) => [discoveries(run)[0].failure, served(run), run.wire('relay->mx')[0].plaintextMessageIds]))
      .toEqual(cases.map(([, failure, requests]) => [failure, requests, ['m1']]));
    expect(runs.map((run) => discoveries(run)[0].fetch?.detail)).toEqual([
      'ECONNREFUSED: connect ECONNREFUSED 127.89.0.2:443',
      'no answer within 10000 ms (virtual time: the host never answered)',
      'HTTP 404',
      'HTTP 301 to https://www.partner.test/.well-known/mta-sts.txt, not followed (RFC 8461 §3.3)',
      'media type text/html, not text/plain',
      'line "mode enforce" is not "key: value"',
      expect.stringMatching(/^mta-sts\.partner\.test's certificate: CERT_HAS_EXPIRED /),
      expect.stringMatching(/^mta-sts\.partner\.test's certificate: ERR_TLS_CERT_ALTNAME_INVALID /),
      expect.stringMatching(/^mta-sts\.partner\.test's certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE /),
    ]);
  });

  it('keeps applying a cached policy through a failed refresh, and refetches when the TXT id changes', async () => {
    const cached = { 'partner.test': { id: '20261101', ...POLICY, age: '2d' } };
    const down = await runInline(stsChain({ stsPolicy: { ...POLICY, serve: 'unreachable' } }, { links: STRIP, cache: cached }));
    expect(down.wire('relay->mx').map((r) => r.plaintextMessageIds)).toEqual([[], []]);
    expect(discoveries(down).map((e) => [e.failure, e.policy?.id, e.policy?.from])).toEqual([['sts-policy-fetch-error', '20261101', 'cache'], ['sts-policy-fetch-error', '20261101', 'cache']]);

    // The same id as announced: no fetch at all, the cache decides (here a testing policy, so the strip goes through).
    const same = await runInline(stsChain({ stsPolicy: POLICY }, { links: STRIP, cache: { 'partner.test': { id: '20261201', ...POLICY, mode: 'testing' } } }));
    expect(served(same)).toEqual([]);
    expect(same.wire('relay->mx')[0].plaintextMessageIds).toEqual(['m1']);

    // A new id: fetched, and the fetched enforce policy replaces the cached testing one.
    const changed = await runInline(stsChain({ stsPolicy: POLICY }, { links: STRIP, cache: { 'partner.test': { id: '20261101', ...POLICY, mode: 'testing' } } }));
    expect(served(changed)).toEqual([FETCHED]);
    expect(changed.wire('relay->mx')[0].plaintextMessageIds).toEqual([]);
    expect(discoveries(changed)[0].decision).toBe('id 20261101 changed to 20261201: fetched anew: mode enforce, mx *.mailhop.test, max_age 604800');

    // Expired (fetched 8 days ago, max_age 7 days) with the host down: no policy, in clear.
    const expired = await runInline(stsChain({ stsPolicy: { ...POLICY, serve: 'unreachable' } }, { links: STRIP, cache: { 'partner.test': { ...cached['partner.test'], age: '8d' } } }));
    expect(expired.wire('relay->mx')[0].plaintextMessageIds).toEqual(['m1']);
  });

  it('splits a message to two domains, one with an enforce policy: held there, delivered in clear to the other', async () => {
    const run = await runInline({
      ...stsChain({}, {
        hops: [{ id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', mtaSts: 'honor', retry: ['10m'] } }, { id: 'p-mx' }, { id: 'o-mx' }],
        dns: {
          'other.test': { mx: [{ hop: 'o-mx', preference: 10 }] },
          'partner.test': { mx: [{ hop: 'p-mx', preference: 10 }], mtaSts: TXT, stsPolicy: POLICY },
        },
        links: [{ from: 'relay', to: 'p-mx', fault: 'strip-starttls' }, { from: 'relay', to: 'o-mx', fault: 'strip-starttls' }],
      }),
      messages: [{ from: 'alice@org.test', to: ['bob@other.test', 'carol@partner.test'] }],
    });
    expect(run.wire('relay->p-mx').map((r) => r.plaintextMessageIds)).toEqual([[], []]);
    expect(run.wire('relay->o-mx').map((r) => r.plaintextMessageIds)).toEqual([['m1']]);
    expect(run.report.messages[0].destinations?.map((d) => `${d.destination}: ${d.outcome} ${d.endToEnd}`)).toEqual(['other.test: delivered broken', 'partner.test: deferred held']);
    expect(discoveries(run).map((e) => `${e.link} ${e.destination} ${e.policy?.mode ?? 'no policy'}`)).toEqual([
      'relay->o-mx other.test no policy', 'relay->p-mx partner.test enforce', 'relay->p-mx partner.test enforce',
    ]);
  });

  it('lets DANE decide where both apply: an expired certificate DANE-EE authenticates is delivered, tls-verified', async () => {
    const zone = { dnssec: 'secure', tlsa: { mx: [{ usage: 3, selector: 1, matchingType: 1, matches: 'served-key' }] }, stsPolicy: POLICY };
    const hops: ScenarioInput['hops'] = [{ id: 'relay', outbound: { tls: 'opportunistic', route: 'mx', dane: 'honor', mtaSts: 'honor' } }, { id: 'mx', inbound: { cert: 'expired' } }];
    const both = await runInline(stsChain(zone, { hops }));
    expect(accepted(both).map((e) => e.secure)).toEqual([true]);
    expect(both.report.messages[0].links[1].policy?.source).toBe('dane');
    const stsOnly = await runInline(stsChain({ stsPolicy: POLICY }, { mx: { inbound: { cert: 'expired' } } }));
    expect(accepted(stsOnly)).toEqual([]);
    expect(stsOnly.report.messages[0].stoppedAt?.reply.text).toBe('451 4.7.5 Server certificate not verified (CERT_HAS_EXPIRED)');
  });
});
