import { mkdtemp, rm, writeFile, mkdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, loadScenarioText } from '../../harness/scenario/load-scenario.js';
import { startChain } from '../../harness/chain/chain.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailhop-content-'));
  await mkdir(join(dir, 'files'));
  await writeFile(join(dir, 'files', 'body.txt'), 'Quarterly figures attached.\r\nRegards\r\n');
  await writeFile(join(dir, 'files', 'figures.csv'), 'q,revenue\n1,100\n');
  await writeFile(join(dir, 'files', 'logo.bin'), Buffer.from([0, 1, 2, 255, 254, 13, 10, 46]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scenarioWith = (message: string) =>
  ['name: content', 'hops: [{ id: relay }, { id: mailbox }]', 'messages:', `  - ${message}`].join('\n');

/** The scenario's error message, with the temporary folder named `<dir>`. */
async function problem(text: string): Promise<string> {
  const file = join(dir, 'bad.yaml');
  await writeFile(file, text);
  try {
    await loadScenarioFile(file);
  } catch (err) {
    return (err as Error).message.split(dir).join('<dir>');
  }
  throw new Error('the scenario loaded, but it should not have');
}

describe('message headers, body files and attachments', () => {
  it('arrive in the final mailbox as given: extra header fields, the body file\'s text, attachments byte for byte', async () => {
    const file = join(dir, 'content.yaml');
    await writeFile(
      file,
      scenarioWith(
        '{ from: alice@org.test, to: [bob@partner.test], headers: { TLS-Required: "No", X-Campaign: q1 }, bodyFile: files/body.txt, ' +
          'attachments: [{ path: files/figures.csv, contentType: text/csv }, { path: files/logo.bin, filename: logo.png }, { content: "inline note", filename: note.txt }] }',
      ),
    );
    const { scenario } = await loadScenarioFile(file);
    expect(scenario.messages[0].body).toBe('Quarterly figures attached.\r\nRegards\r\n');
    expect(scenario.messages[0].attachments.map((a) => [a.filename, a.encoding ?? 'text'])).toEqual([['figures.csv', 'base64'], ['logo.png', 'base64'], ['note.txt', 'text']]);
    await using chain = await startChain(scenario, { file });
    const report = await chain.run();
    expect(report.outcome).toBe('delivered');
    const raw = chain.mailbox()[0].raw.toString('latin1');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    // Field names are case-insensitive (RFC 5322 §1.2.2); nodemailer writes them in its own capitalisation.
    expect(head).toMatch(/^TLS-Required: No$/im);
    expect(head).toMatch(/^X-Campaign: q1$/im);
    expect(raw).toContain('Quarterly figures attached.\r\nRegards\r\n');
    // The binary attachment, decoded from its MIME part, is the file's bytes.
    const part = /filename=logo\.png[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(raw)?.[1] ?? '';
    expect(Buffer.from(part.replace(/\r\n/g, ''), 'base64')).toEqual(Buffer.from([0, 1, 2, 255, 254, 13, 10, 46]));
    expect(raw).toContain('Content-Type: text/csv; name=figures.csv');
  });

  it('refuses a missing file, body and bodyFile together, and header fields mailhop writes itself, with their positions', async () => {
    expect(await problem(scenarioWith('{ from: a@b.test, to: [c@d.test], bodyFile: files/nope.txt }'))).toBe(
      '<dir>/bad.yaml:4:49: messages[0].bodyFile: cannot read files/nope.txt (resolved to <dir>/files/nope.txt): no such file',
    );
    expect(await problem(scenarioWith('{ from: a@b.test, to: [c@d.test], attachments: [{ path: files }] }'))).toBe(
      '<dir>/bad.yaml:4:61: messages[0].attachments[0].path: cannot read files (resolved to <dir>/files): not a regular file',
    );
    expect(await problem(scenarioWith('{ from: a@b.test, to: [c@d.test], body: hi, bodyFile: files/body.txt }'))).toBe(
      '<dir>/bad.yaml:4:59: messages[0].bodyFile: give body or bodyFile, not both',
    );
    expect(await problem(scenarioWith('{ from: a@b.test, to: [c@d.test], headers: { X-Mailhop-Id: m9, "Bad Name": x } }'))).toBe(
      [
        '<dir>/bad.yaml:4:50: messages[0].headers: key "X-Mailhop-Id" is written by mailhop itself (use the message\'s from, to, subject and body keys; X-Mailhop-* and trace fields are the chain\'s)',
        '<dir>/bad.yaml:4:68: messages[0].headers: key "Bad Name" must be a header field name: 1 to 76 printable ASCII characters, no colon or space (RFC 5322 §2.2)',
      ].join('\n'),
    );
    // Past 5 MiB: the read itself stops there (a file's stat size is not trusted: procfs says 0 for megabytes).
    await writeFile(join(dir, 'files', 'big.bin'), '');
    await truncate(join(dir, 'files', 'big.bin'), 6 * 1024 * 1024);
    expect(await problem(scenarioWith('{ from: a@b.test, to: [c@d.test], bodyFile: files/big.bin }'))).toBe(
      '<dir>/bad.yaml:4:49: messages[0].bodyFile: files/big.bin makes the message\'s body and attachments over 5242880 bytes (5 MiB, the hops accept 10 MiB once MIME-encoded)',
    );
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}@y.test`).join(', ');
    expect(await problem(scenarioWith(`{ from: a@b.test, to: [${many}] }`))).toMatch(/^<dir>\/bad\.yaml:4:\d+: messages\[0\]\.to: .*1000/);
    expect(await problem(scenarioWith('{ from: a@b.test, to: [c@d.test], attachments: [{ filename: x }] }'))).toBe(
      '<dir>/bad.yaml:4:53: messages[0].attachments[0]: needs exactly one of path (a file) or content (text)',
    );
  });

  it('a scenario given as text reads its files from the working directory; a message sent through the API is parsed with its defaults', async () => {
    const { scenario } = loadScenarioText(scenarioWith('{ from: a@b.test, to: [c@d.test], bodyFile: package.json }'), 'inline.yaml');
    expect(scenario.messages[0].body).toContain('"name": "mailhop"');
    await using chain = await startChain(scenario);
    const id = await chain.send({ from: 'a@b.test', to: ['c@d.test'], headers: { 'TLS-Required': 'No' } });
    await chain.settle();
    const sent = chain.mailbox().find((m) => m.id === id)!.raw.toString('latin1');
    expect(sent).toMatch(/^TLS-Required: No$/im);
    expect(sent).toContain('Sent by mailhop.');
  });
});
