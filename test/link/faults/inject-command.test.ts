import { describe, expect, it } from 'vitest';
import { injectCommand } from '../../../harness/link/faults/inject-command.js';
import { ehloOfferingStarttls, rawPair } from './raw-peers.js';

// docs/behaviour.md#A-inject-command (CVE-2011-0411): the injected commands ride in the STARTTLS segment.
describe('inject-command', () => {
  it('appends the commands to STARTTLS in one segment; the client is told nothing', async () => {
    await using pair = await rawPair([injectCommand({ commands: ['RSET', 'MAIL FROM:<attacker@evil.test>'] })]);
    const { client, server } = await pair.connect();
    await ehloOfferingStarttls(client, server);

    client.write('STARTTLS\r\n');
    await server.until('MAIL FROM:<attacker@evil.test>\r\n');
    server.write('220 2.0.0 Ready to start TLS\r\n');
    await client.until('220 2.0.0 Ready to start TLS\r\n');

    expect(server.chunks.at(-1)?.toString('latin1')).toBe('STARTTLS\r\nRSET\r\nMAIL FROM:<attacker@evil.test>\r\n');
    expect(client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n');
    client.socket.end();
    const record = await pair.link.closed();
    expect(record.faults).toEqual([
      expect.objectContaining({ fault: 'inject-command', dir: 'C', action: 'replace', note: 'appended RSET, MAIL FROM:<attacker@evil.test> to STARTTLS in one segment' }),
    ]);
    expect(record.faults[0].effect).toBeUndefined();
  });
});
