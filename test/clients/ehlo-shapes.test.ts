/**
 * Real SMTP clients as the first sender against a hop whose EHLO reply has one of the shapes of `inbound.ehlo`
 * (STARTTLS last, lower case, extra or trailing spaces, `AUTH=`): did each still find STARTTLS, and AUTH? What each did
 * must match its row in ehlo-profiles.ts, which the README's table shows. A client missing from this machine skips with
 * the reason (.ci/run installs them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import { CLIENTS, clientMissing } from '../support/smtp-clients.js';
import { EHLO_PROFILES, SHAPES, ehloProfileTable } from './ehlo-profiles.js';

/** The first hop offers STARTTLS and AUTH after TLS, its EHLO reply in `ehlo`'s shape. */
function shapedHop(ehlo: Record<string, unknown>): Scenario {
  return Scenario.parse({ name: 'ehlo-shape', submit: { sender: 'app' }, hops: [{ id: 'relay', inbound: { auth: 'after-tls', ehlo } }, { id: 'mailbox' }], expect: {} });
}

describe('real clients against the shapes of an EHLO reply', () => {
  it('profiles every shape for every client, and is the table the README shows', () => {
    expect(Object.keys(EHLO_PROFILES)).toEqual(CLIENTS.map((c) => c.name));
    for (const cells of Object.values(EHLO_PROFILES)) expect(cells).toHaveLength(SHAPES.length);
    expect(readFileSync('README.md', 'utf8')).toContain(ehloProfileTable());
  });

  for (const client of CLIENTS) {
    const missing = clientMissing(client);
    it.skipIf(missing !== undefined).for(SHAPES.map((s, i) => [s.title, i] as const))(`${client.name}${missing ? ` (skipped: ${missing})` : ''}: %s`, async ([, i]) => {
      await using chain = await startChain(shapedHop(SHAPES[i].ehlo));
      chain.expectSubmission();
      const sent = await client.send(chain.submission(), { user: 'app', pass: 's3cret' });
      const report = await chain.run();
      const accepted = chain.events().find((e) => e.kind === 'accepted' && e.link === 'client->relay');
      const extra = [
        ...(accepted && accepted.kind === 'accepted' && !accepted.protocol.endsWith('A') ? ['no AUTH'] : []),
        ...(report.links[0].credentialsInClear ? ['password in clear'] : []),
      ];
      const cell = extra.length ? `${report.links[0].verdict} (${extra.join(', ')})` : report.links[0].verdict;
      expect(cell, `${client.name}, ${SHAPES[i].title}: ${sent.output}\n${report.links[0].notes.join('\n')}`).toBe(EHLO_PROFILES[client.name][i]);
    });
  }
});
