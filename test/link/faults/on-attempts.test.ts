import { describe, expect, it } from 'vitest';
import { createLinkFault, LinkFaultSpec } from '../../../harness/link/faults/index.js';
import { ehloOfferingStarttls, greetAndEhlo, rawPair, testEnv } from './raw-peers.js';

// `attempts: [n]` limits a fault to connections carrying those delivery attempts of their message.
describe('attempts', () => {
  it('a fault limited to attempt 2 leaves attempt 1 alone and acts on attempt 2', async () => {
    const env = testEnv();
    const fault = await createLinkFault(LinkFaultSpec.parse({ from: 'client', to: 'mx', fault: 'strip-starttls', attempts: [2] }), env);
    await using pair = await rawPair([fault]);

    const first = await pair.connect();
    env.deliveries.set(first.client.socket.localPort!, { messageId: 'm1', attempt: 1, connection: 1 });
    await ehloOfferingStarttls(first.client, first.server);

    const second = await pair.connect();
    env.deliveries.set(second.client.socket.localPort!, { messageId: 'm1', attempt: 2, connection: 1 });
    await greetAndEhlo(second.client, second.server, ['STARTTLS']);
    await second.client.until('250 mx.test\r\n');

    const unknown = await pair.connect(); // not announced by any sender: an attempt-limited fault stays out
    await ehloOfferingStarttls(unknown.client, unknown.server);

    expect(first.client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n');
    expect(second.client.text).toBe('220 mx.test ESMTP\r\n250 mx.test\r\n');
    expect(unknown.client.text).toBe('220 mx.test ESMTP\r\n250-mx.test\r\n250 STARTTLS\r\n');
  });

  it('where the announcement comes late (a proxy in a container), the first hook waits for it instead of guessing', async () => {
    const env = testEnv();
    const announced: Array<() => void> = [];
    let asked = 0;
    env.awaitDelivery = (port) => {
      asked++;
      return new Promise((resolve) => announced.push(() => resolve(env.deliveries.get(port))));
    };
    const fault = await createLinkFault(LinkFaultSpec.parse({ from: 'client', to: 'mx', fault: 'strip-starttls', attempts: [1] }), env);
    await using pair = await rawPair([fault]);
    const { client, server } = await pair.connect();

    // The greeting reaches the proxy before the chain said which delivery this is: it is held, not judged.
    server.write('220 mx.test ESMTP\r\n');
    await expect.poll(() => asked).toBe(1);
    expect(client.text).toBe('');
    env.deliveries.set(client.socket.localPort!, { messageId: 'm1', attempt: 1, connection: 1 });
    announced.forEach((announce) => announce());

    await client.until('220 mx.test ESMTP\r\n');
    client.write('EHLO client.test\r\n');
    await server.until('EHLO client.test\r\n');
    server.write('250-mx.test\r\n250 STARTTLS\r\n');
    await client.until('250 mx.test\r\n');
    // Attempt 1 was wanted: the strip acted, and the wait happened once per connection.
    expect(client.text).toBe('220 mx.test ESMTP\r\n250 mx.test\r\n');
    expect(asked).toBe(1);
  });
});
