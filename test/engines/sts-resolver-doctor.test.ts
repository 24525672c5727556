/**
 * `mailhop doctor` on MTA-STS for Postfix: the installed postfix-mta-sts-resolver's version and how mailhop runs it
 * beside a Postfix hop, or that it is missing and what cannot run without it.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseStsResolver, NOT_INSTALLED, WIRED } from '../../harness/engines/sts-resolver.js';
import { renderStsResolver } from '../../harness/cli/doctor-command.js';

describe('doctor: the MTA-STS policy resolver for Postfix', () => {
  it('names the installed version and how it is wired; or that it is not installed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mailhop-doctor-'));
    try {
      await mkdir(path.join(dir, 'postfix_mta_sts_resolver-1.1.2.egg-info'));
      await writeFile(path.join(dir, 'postfix_mta_sts_resolver-1.1.2.egg-info', 'PKG-INFO'), 'Metadata-Version: 2.1\nName: postfix-mta-sts-resolver\nVersion: 1.1.2\n');
      await writeFile(path.join(dir, 'mta-sts-daemon'), '');
      const found = diagnoseStsResolver(dir, path.join(dir, 'mta-sts-daemon'));
      expect(found).toEqual({ resolver: 'postfix-mta-sts-resolver', found: 'postfix-mta-sts-resolver 1.1.2', wired: true, why: WIRED });
      expect(renderStsResolver(found)).toBe(`MTA-STS for postfix: postfix-mta-sts-resolver 1.1.2: ${WIRED}\n`);
      const missing = diagnoseStsResolver(dir, path.join(dir, 'no-such-daemon'));
      expect(missing).toEqual({ resolver: 'postfix-mta-sts-resolver', wired: false, why: NOT_INSTALLED });
      expect(renderStsResolver(missing)).toBe(`MTA-STS for postfix: postfix-mta-sts-resolver: ${NOT_INSTALLED}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
