import { describe, expect, it } from 'vitest';
import { createLinkFault, LinkFaultSpec } from '../../../harness/link/faults/index.js';
import { greetAndEhlo, rawPair, testEnv } from './raw-peers.js';

// `attempts: [n]` limits a fault to connections carrying those delivery attempts of their message.
describe('attempts', () => {
  it('a fault limited to attempt 2 leaves attempt 1 alone and acts on attempt 2', async () => {
    const env = testEnv();
    const fault = await createLinkFault(LinkFaultSpec.parse({ from: 'client', to: 'mx', fault: 'strip-starttls', attempts: [2] }), env);
    await using pair = await rawPair([fault]);

    const first = await pair.connect();
    env.deliveries.set(first.client.socket.localPort!, { messageId: 'm1', attempt: 1, connection: 1 });
    await greetAndEhlo(first.client, first.server, ['STARTTLS']);
    await first.client.until('250 STARTTLS\r\n');

    const second = await pair.connect();
    env.deliveries.set(second.client.socket.localPort!, { messageId: 'm1', attempt: 2, connection: 1 });
    await greetAndEhlo(second.client, second.server, ['STARTTLS']);
    await second.client.until('250 mx.test\r\n');

    const unknown = await pair.connect(); // not announced by any sender: an attempt-limited fault stays out
    await greetAndEhlo(unknown.client, unknown.server, ['STARTTLS']);
    await unknown.client.until('250 STARTTLS\r\n');

    expect(first.client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n');
    expect(second.client.text).toBe('220 mx.test ESMTP\r\n250 mx.test\r\n');
    expect(unknown.client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n');
  });
});
