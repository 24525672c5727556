/**
 * Received headers, character by character: each real engine receives one message over TLS 1.3, TLS 1.2 and
 * in plaintext (the same client, the same suites, mailhop's ECDSA P-256 keys on both sides) and relays it to a
 * capture server; then a mock hop with that product's `inbound.received` format receives the same message,
 * dated the instant the engine's header names. The two headers must be equal byte for byte once the queue id
 * (checked for the product's shape first) is masked. Dates are not masked: the same instant must be written the
 * same way (Postfix `Sun,  6 Dec`, Sendmail `Sun, 6 Dec ... GMT`, Exim `Sun, 06 Dec`). One more message goes to
 * two recipients, for which none of the four writes a `for` clause.
 *
 * OpenSMTPD is held in plaintext only: Debian 12's 6.8.0p2 fails every inbound TLS handshake
 * (docs/engines.md#opensmtpd).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedFormat } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import { Hop, type EngineHop } from '../../harness/scenario/schema.js';
import { startEngine, type StartedEngine } from '../../harness/engines/start-engine.js';
import { availability, engineOptions, titled } from '../support/engine.js';
import { firstHeader, receivedInstant, sendOne, startCapture, startMockReceiver, type Capture, type SendMode } from '../support/received-capture.js';

interface Product {
  engine: RealEngineName;
  format: ReceivedFormat;
  modes: SendMode[];
  /** The queue id as the product writes it after `id ` (the mock derives its own, in the same shape). */
  id: RegExp;
  /**
   * What differs by configuration, not by format: mailhop's Exim logs incoming ports (`log_selector =
   * +incoming_port`), and Exim's `$sender_rcvhost` then adds `port=N ` [EX-spec]; a default Exim, as the
   * format copies, writes none.
   */
  configured?: (header: string) => string;
}

const PRODUCTS: Product[] = [
  { engine: 'postfix', format: 'postfix', modes: ['TLS 1.3', 'TLS 1.2', 'plaintext'], id: /\bid [0-9A-F]{6,12}\b/ },
  { engine: 'sendmail', format: 'sendmail', modes: ['TLS 1.3', 'TLS 1.2', 'plaintext'], id: /\bid [0-9A-Za-x]{8}\d{6}\b/ },
  {
    engine: 'exim', format: 'exim', modes: ['TLS 1.3', 'TLS 1.2', 'plaintext'], id: /\bid [0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b/,
    configured: (header) => header.replace(/^(Received: from \[[^\]]+\] \()port=\d+ /, '$1'),
  },
  { engine: 'opensmtpd', format: 'opensmtpd', modes: ['plaintext'], id: /\bid [0-9a-f]{8}\b/ },
];

/** The header with its queue id replaced, after checking the id has the product's shape. */
function masked(header: string, product: Product): string {
  expect(header, `a queue id shaped like ${product.engine}'s`).toMatch(product.id);
  return header.replace(product.id, 'id <queue-id>');
}

for (const product of PRODUCTS) {
  describe.skipIf(!availability(product.engine).usable)(titled(`${product.format} format against a real ${product.engine}`, product.engine), () => {
    let capture: Capture;
    let engine: StartedEngine;
    beforeAll(async () => {
      capture = await startCapture();
      const inbound = product.engine === 'opensmtpd' ? { starttls: 'none' } : { starttls: 'offer' };
      const hop = Hop.parse({ id: 'mx', engine: product.engine, inbound }) as EngineHop;
      engine = await startEngine(await engineOptions('mx', product.engine, undefined, { next: capture.address, hop }));
    }, 60_000);
    afterAll(async () => {
      await engine?.stop();
      await capture?.[Symbol.asyncDispose]();
    });

    const cases = [...product.modes.map((mode) => [mode, 1] as const), [product.modes[0], 2] as const];
    for (const [mode, recipients] of cases) {
      const title = recipients === 2 ? `${mode}, two recipients (no for clause)` : mode;
      it(`${title}: the mock writes the header ${product.engine} wrote, byte for byte but for the queue id`, async () => {
        await sendOne(engine.address, mode, recipients);
        const real = firstHeader(await capture.next());
        const instant = receivedInstant(real);
        await using mock = await startMockReceiver('mx', product.format, () => instant);
        await sendOne(mock.address, mode, recipients);
        const written = firstHeader(mock.accepted[0].raw.toString('utf8'));
        const realHeader = product.configured ? product.configured(real) : real;
        expect(masked(written, product)).toBe(masked(realHeader, product));
      }, 60_000);
    }
  });
}
