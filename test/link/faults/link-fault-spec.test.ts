import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../../harness/scenario/load-scenario.js';

const HEAD = `name: faults
hops: [{ id: sendmail }, { id: gateway }, { id: mailbox }]
messages: [{ from: a@b.test, to: [c@d.test] }]
links:
`;

function problems(links: string): string {
  try {
    loadScenarioText(HEAD + links, 's.yaml');
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

// `links:` in a scenario file: one fault per entry, placed on an existing link, options per fault.
describe('links: in scenario files', () => {
  it('parses the faults with their defaults, in order', () => {
    const { scenario } = loadScenarioText(
      `${HEAD}  - { from: gateway, to: mailbox, fault: strip-starttls }
  - { from: sendmail, to: gateway, fault: kill-handshake, attempts: [1] }
  - { from: client, to: sendmail, fault: delay, ms: 200ms }
`,
      's.yaml',
    );
    expect(scenario.links).toEqual([
      { from: 'gateway', to: 'mailbox', fault: 'strip-starttls' },
      { from: 'sendmail', to: 'gateway', fault: 'kill-handshake', attempts: [1], how: 'close', thenStrip: false },
      { from: 'client', to: 'sendmail', fault: 'delay', ms: 200 },
    ]);
  });

  it('a scenario without links: has none', () => {
    expect(loadScenarioText(HEAD.replace('links:\n', ''), 's.yaml').scenario.links).toEqual([]);
  });

  it('names a link that does not exist, at the key, with file:line:column', () => {
    expect(
      problems(`  - { from: sendmail, to: mailbox, fault: kill-handshake }
  - { from: nobody, to: gateway, fault: stall }
  - from: mailbox
    to: x
    fault: stall
`),
    ).toBe(
      [
        's.yaml:5:27: links[0].to: no such link "sendmail->mailbox"; the link from sendmail goes to gateway',
        's.yaml:6:13: links[1].from: no hop "nobody"; a link starts at client or at one of sendmail, gateway, mailbox',
        's.yaml:8:9: links[2].to: no such link "mailbox->x"; mailbox is the last hop',
      ].join('\n'),
    );
  });

  it('validates options per fault: unknown names, keys of another fault, bad values', () => {
    expect(
      problems(`  - { from: client, to: sendmail, fault: strip-sttls }
  - { from: client, to: sendmail, fault: strip-starttls, how: alert }
  - { from: client, to: sendmail, fault: stall, attempts: [0] }
  - { from: client, to: sendmail, fault: inject-command, commands: ["RSET\\r\\nQUIT"] }
`),
    ).toBe(
      [
        's.yaml:5:42: links[0].fault: must be one of strip-starttls, mask-starttls, downgrade-454, tamper-220, kill-handshake, stall, inject-command, inject-response, intercept, delay, reset; got "strip-sttls"',
        's.yaml:6:58: links[1]: unknown key "how" (allowed: from, to, fault, attempts)',
        's.yaml:7:60: links[2].attempts[0]: must be >= 1; got 0',
        's.yaml:8:69: links[3].commands[0]: must be one line of printable ASCII, without CR or LF; got "RSET\\r\\nQUIT"',
      ].join('\n'),
    );
  });
});
