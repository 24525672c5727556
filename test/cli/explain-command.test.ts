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

  test('exit code 2 and the problem for a bad scenario file', async () => {
    const io = capture();
    expect(await main(['explain', 'scenarios/no-such-file.yaml'])).toBe(2);
    expect(io.stderr()).toContain('no-such-file.yaml');
  });
});
