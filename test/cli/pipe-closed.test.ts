import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('mailhop run | head', () => {
  it('a reader that stops reading ends the run quietly: no EPIPE stack, exit 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mailhop-dev.ts', 'run', 'scenarios/all-hops-offer-encrypted.yaml', 'scenarios/mandatory-to-hop-without-starttls-held.yaml'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // Read the first chunk, then close the pipe, as `head -1` does.
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
