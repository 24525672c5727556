import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { main } from '../../harness/cli/main.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function capture() {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { stdout: () => out.mock.calls.map((c) => String(c[0])).join(''), stderr: () => err.mock.calls.map((c) => String(c[0])).join('') };
}

describe('mailhop explain', () => {
  test('tells each link’s story for one scenario and exits 0 when its claims held', async () => {
    const io = capture();
    expect(await main(['explain', 'scenarios/messagelabs-preserves-inbound-tls.yaml'])).toBe(0);
    const text = io.stdout();
    expect(text.split('\n')[0]).toBe('messagelabs-preserves-inbound-tls  (scenarios/messagelabs-preserves-inbound-tls.yaml)');
    expect(text).toContain('Message m1 (alice@org.test → bob@partner.test');
    expect(text.replace(/\s+/g, ' ')).toContain('gateway received m1 over TLS (TLSv1.3), so under strict preserve-inbound its policy for this message was opportunistic');
    expect(text).toContain('The scenario’s claims all held:');
    // Terminal width: no line longer than 100 columns.
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  test('names a REQUIRETLS leak over TLS for what it was (the flag dropped, an unverified link), not content in clear', async () => {
    const io = capture();
    expect(await main(['explain', 'examples/leaks/requiretls-messagelabs-gateway-drops-flag.yaml'])).toBe(1);
    const text = io.stdout().replace(/\s+/g, ' ');
    expect(text).toContain('LEAK: REQUIRETLS dropped: gateway took the message without the REQUIRETLS parameter, so no hop after it is bound to TLS.');
    expect(text).toContain('LEAK: REQUIRETLS message crossed gateway->mailbox as tls, not over TLS with a verified certificate (RFC 8689 §4.2.1).');
    expect(text).not.toContain('crossed in clear although');
  });

  test('says, as run does, that a scenario whose application submits cannot run from the CLI, and starts nothing (exit 2)', async () => {
    const io = capture();
    expect(await main(['explain', 'scenarios/clients/app-offer-encrypted.yaml'])).toBe(2);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe('mailhop explain: scenarios/clients/app-offer-encrypted.yaml: the application under test submits its mail (submit: { sender: app }): run it from your tests with chainTest or startChain\n');
  });

  test('--html writes the same explanation as a self-contained page, with the description and the chain diagram', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailhop-explain-'));
    try {
      const out = join(dir, 'explain.html');
      const io = capture();
      expect(await main(['explain', 'scenarios/starttls-stripped-on-the-wire-opportunistic-goes-plain.yaml', '--html', out])).toBe(0);
      expect(io.stderr()).toBe(`wrote ${out}\n`);
      const page = await readFile(out, 'utf8');
      expect(page).not.toMatch(/<script|<link |<img |@import|url\(/i);
      for (const [, ref] of page.matchAll(/(?:href|src)="([^"]*)"/g)) expect(ref.startsWith('#')).toBe(true);
      expect(page).toContain('<title>mailhop explain: starttls-stripped-on-the-wire-opportunistic-goes-plain</title>');
      expect(page).toContain('<div class="description"><p>');
      expect(page).toMatch(/<g class="attacker" data-fault="strip-starttls" data-acted="true">/);
      // Every line the command printed is on the page, in the same words (the page does not wrap at 100 columns).
      const words = (t: string) => t.replace(/<title>[^<]*<\/title>/g, '').replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
      const printed = io.stdout().split('\n\n').slice(1).map(words).join(' ');
      const shown = words(page.slice(page.indexOf('<div class="description">')));
      for (const sentence of printed.split(/(?<=\.) (?=[A-Z])/).map((x) => x.trim()).filter(Boolean)) expect(shown).toContain(sentence);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--html to a file that cannot be written: exit 2 and why', async () => {
    const io = capture();
    expect(await main(['explain', 'scenarios/all-hops-offer-encrypted.yaml', '--html', '/nonexistent-dir/x.html'])).toBe(2);
    expect(io.stderr()).toMatch(/^mailhop explain: cannot write \/nonexistent-dir\/x\.html: ENOENT/);
  });

  test('exit code 2 and the problem for a bad scenario file', async () => {
    const io = capture();
    expect(await main(['explain', 'scenarios/no-such-file.yaml'])).toBe(2);
    expect(io.stderr()).toContain('no-such-file.yaml');
  });
});
