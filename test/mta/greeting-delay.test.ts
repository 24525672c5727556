import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { installGreetingDelayPatch, UPSTREAM_INIT_FINGERPRINT } from '../../harness/mta/greeting-delay.js';

/** Connects and resolves with the first line the server sends. */
function firstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setEncoding('latin1');
    s.once('data', (d: string) => {
      s.destroy();
      resolve(d.split('\r\n')[0]);
    });
    s.once('error', reject);
  });
}

async function listen(options: Record<string, unknown>): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({ logger: false, authOptional: true, disableReverseLookup: true, ...options } as never);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

describe('greeting delay patch', () => {
  it('upstream smtp-server still holds the greeting with a fixed 100 ms timer (else review the patch)', async () => {
    // When smtp-server changes SMTPConnection.init, this fails before the patch silently misbehaves.
    const source = await readFile(fileURLToPath(import.meta.resolve('smtp-server/lib/smtp-connection.js')), 'utf8');
    const init = source.slice(source.indexOf('    init() {'), source.indexOf('    connectionReady('));
    expect(init).toContain(UPSTREAM_INIT_FINGERPRINT);
    installGreetingDelayPatch();
    const patched = (SMTPConnection as unknown as { prototype: { init: () => void } }).prototype.init.toString();
    expect(patched).toContain('greetingDelayMs');
  });

  it('greets at once with greetingDelayMs 0 and an early talker is not refused', async () => {
    installGreetingDelayPatch();
    const srv = await listen({ greetingDelayMs: 0, name: 'fast.mailhop.test' });
    try {
      const line = await firstLine(srv.port);
      expect(line).toMatch(/^220 fast\.mailhop\.test/);
    } finally {
      await srv.close();
    }
  });

  it('keeps the upstream 100 ms pause when the option is absent (early talker answered 421)', async () => {
    installGreetingDelayPatch();
    const srv = await listen({ name: 'slow.mailhop.test' });
    try {
      // An early talker (bytes before the greeting) is what the upstream pause exists to catch.
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.connect(srv.port, '127.0.0.1', () => s.write('EHLO early\r\n'));
        s.setEncoding('latin1');
        let all = '';
        s.on('data', (d: string) => (all += d));
        s.on('close', () => resolve(all));
        s.on('error', reject);
      });
      expect(reply).toMatch(/^421 /m);
    } finally {
      await srv.close();
    }
  });
});
