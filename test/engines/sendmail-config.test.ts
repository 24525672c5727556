// The sendmail.cf mailhop writes for a Sendmail hop: TLSFallbacktoClear only when the scenario asks for
// `fallback: reconnect`. A hop that says nothing runs as a default Sendmail, which after a failed handshake
// defers and tries STARTTLS again on every queue run (docs/behaviour.md#B-handshake-sendmail; deliver.c reconnects without STARTTLS
// only `if (TLSFallbacktoClear || ...FB2CLR)`). Writes the configuration only (m4, makemap); nothing runs.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { sendmail } from '../../harness/engines/sendmail.js';
import { mtaPaths } from '../../harness/engines/mta-paths.js';
import { RunFolder } from '../../harness/engines/run-folder.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Hop, type EngineHop } from '../../harness/scenario/schema.js';
import { availability, titled } from '../support/engine.js';

async function cf(outbound: Record<string, unknown>): Promise<{ options: string[]; command: string[] }> {
  const pki = await RunPki.create();
  const folder = RunFolder.create('sendmail-config');
  try {
    const launch = await sendmail.prepare(folder, {
      hop: Hop.parse({ id: 'relay', engine: 'sendmail', outbound }) as EngineHop,
      hostname: 'relay.mailhop.test',
      listen: { host: '127.88.0.1', port: 2525 },
      next: { host: '127.0.0.1', port: 2526 },
      keyCert: await pki.issue('relay.mailhop.test', 'valid'),
      caCert: pki.ca.cert,
      paths: mtaPaths(),
    });
    const options = readFileSync(folder.at('sendmail.cf'), 'utf8').split('\n').filter((l) => /^O (TLSFallbacktoClear|DeliveryMode)=/.test(l));
    return { options, command: launch.command.slice(-2) };
  } finally {
    folder.remove();
  }
}

describe.skipIf(!availability('sendmail').usable)(titled('sendmail.cf written for a Sendmail hop', 'sendmail'), () => {
  it('a hop without fallback: no TLSFallbacktoClear, background delivery, a queue run every second', async () => {
    expect(await cf({})).toEqual({ options: ['O DeliveryMode=background'], command: ['-bD', '-q1s'] });
    expect((await cf({ fallback: 'never' })).options).toEqual(['O DeliveryMode=background']);
  });

  it('fallback: reconnect sets TLSFallbacktoClear; mandatory never does', async () => {
    expect((await cf({ fallback: 'reconnect' })).options).toEqual(['O DeliveryMode=background', 'O TLSFallbacktoClear=true']);
    expect((await cf({ tls: 'mandatory' })).options).toEqual(['O DeliveryMode=background']);
  });
});
