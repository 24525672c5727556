/**
 * postfix-mta-sts-resolver beside a Postfix hop (harness/engines/mta-sts-daemon.ts): started before Postfix with its own
 * configuration in the hop's run folder, answering on the socketmap main.cf names, and gone with the hop, nothing left
 * running. Skipped, with the reason, where Postfix or the resolver cannot run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Hop, type EngineHop } from '../../harness/scenario/schema.js';
import { startEngine } from '../../harness/engines/start-engine.js';
import { diagnoseStsResolver } from '../../harness/engines/sts-resolver.js';
import { availability, engineOptions } from '../support/engine.js';

/** Pids of the processes whose command line names `text`. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(text) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

const postfix = availability('postfix');
const resolver = diagnoseStsResolver();
const why = !postfix.usable ? postfix.reason : !resolver.found ? resolver.why : '';

describe.skipIf(why !== '')(`postfix-mta-sts-resolver beside a postfix hop${why ? ` (skipped: ${why})` : ''}`, () => {
  it('runs with the hop (its socketmap in main.cf, its in-memory cache) and stops with it', async () => {
    const hop = Hop.parse({ id: 'relay', engine: 'postfix', outbound: { route: 'mx', mtaSts: 'honor' } }) as EngineHop;
    // The run's DNS is not needed to start: nothing is asked until a message comes.
    const engine = await startEngine(await engineOptions('relay', 'postfix', undefined, { hop, dns: { nameserver: '127.53.0.1' } }));
    const config = `${engine.folder}/sts/mta-sts-daemon.yml`;
    let stopped = false;
    try {
      expect(processesNaming(config)).toHaveLength(1);
      expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({ path: `${engine.folder}/sts/socketmap`, cache: { type: 'internal' } });
      expect(readFileSync(`${engine.folder}/etc/main.cf`, 'utf8')).toContain(`\nsmtp_tls_policy_maps = socketmap:unix:${engine.folder}/sts/socketmap:postfix\n`);
      expect(engine.log()).toContainEqual(expect.stringMatching(/^mta-sts-daemon: .* MAIN: Server started\.$/));
      await engine.stop();
      stopped = true;
      expect(processesNaming(config)).toEqual([]);
    } finally {
      if (!stopped) await engine.stop();
    }
  }, 60_000);
});
