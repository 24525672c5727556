import { beforeAll, describe, expect, it } from 'vitest';
import type { LinkFault } from '../../harness/link/link-fault.js';
import { dialog } from '../support/dialog.js';
import { makeCert, sendStamped, startLink, startSmtpServer } from '../support/link.js';

let pki: { key: string; cert: string };
beforeAll(async () => {
  pki = await makeCert();
});

/** Test-only A-strip: drops STARTTLS from the EHLO reply, keeping the multiline shape (RFC 5321 §4.2). Async on purpose. */
const stripStarttls: LinkFault = {
  name: 'test-strip-starttls',
  open: () => ({
    async reply(lines, answering) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!/^EHLO\b/i.test(answering ?? '') || !lines.some((l) => /^250[ -]STARTTLS$/i.test(l))) return undefined;
      const kept = lines.filter((l) => !/^250[ -]STARTTLS$/i.test(l));
      return { forward: kept.map((l, i) => `250${i === kept.length - 1 ? ' ' : '-'}${l.slice(4)}`) };
    },
  }),
};

/** Test-only A-454: the server gets NOOP instead of STARTTLS, the client gets a 454, the server's 250 is swallowed. */
const downgrade454: LinkFault = {
  name: 'test-downgrade-454',
  open: () => ({
    command: (line) => (/^STARTTLS$/i.test(line) ? { forward: ['NOOP'], answer: ['454 4.7.0 TLS not available due to temporary reason'] } : undefined),
    reply: (_lines, answering) => (answering === 'NOOP' ? { forward: [] } : undefined),
  }),
};

/** Test-only A-kill-handshake: answers the ClientHello with a handshake_failure alert and closes. */
const alertOnHello: LinkFault = {
  name: 'test-alert-on-hello',
  open: () => ({
    tls: (dir, _chunk, info) => (dir === 'C' && info.clientHello ? { forward: Buffer.alloc(0), answer: Buffer.from([21, 3, 3, 0, 2, 2, 40]), close: 'end' } : undefined),
  }),
};

/** Looks at everything, changes nothing. */
function observer(seen: string[]): LinkFault {
  return {
    name: 'test-observer',
    open: (context) => ({
      command: (line) => void seen.push(`${context.connectionId} C ${line}`),
      reply: (lines) => void seen.push(`${context.connectionId} S ${lines.join(' | ')}`),
      tls: (dir, chunk, info) => void (info.first && seen.push(`${context.connectionId} ${dir} [TLS ${chunk.length > 0 ? 'bytes' : 'none'}]`)),
    }),
  };
}

describe('LinkFault seam', () => {
  it('a fault that only watches changes nothing: STARTTLS and TLS still go through', async () => {
    const seen: string[] = [];
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port, [observer(seen)]);

    const sent = await sendStamped(link.port, 'm-observed');
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(mx.received[0].secure).toBe(true);
    expect(record, dialog(record)).toMatchObject({ handshake: 'established', tls: { version: 'TLSv1.3' }, faults: [] });
    expect(seen).toEqual([
      expect.stringMatching(/^client->mx#1 S 220 /),
      'client->mx#1 C EHLO client.test',
      expect.stringMatching(/^client->mx#1 S 250-.* \| 250 STARTTLS$/),
      'client->mx#1 C STARTTLS',
      expect.stringMatching(/^client->mx#1 S 220 /),
      'client->mx#1 C [TLS bytes]',
      'client->mx#1 S [TLS bytes]',
    ]);
  });

  it('a fault that only watches changes nothing on an implicit-TLS link either', async () => {
    const seen: string[] = [];
    await using mx = await startSmtpServer({ ...pki, secure: true });
    await using link = await startLink(mx.port, [observer(seen)]);

    const sent = await sendStamped(link.port, 'm-observed-465', { secure: true });
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(record, dialog(record)).toMatchObject({ implicitTls: true, handshake: 'established' });
    expect(seen).toEqual(['client->mx#1 C [TLS bytes]', 'client->mx#1 S [TLS bytes]']);
  });

  it('a fault that throws resets the connection, and the record names it', async () => {
    const broken: LinkFault = {
      name: 'test-broken',
      open: () => ({
        command: (line) => {
          if (line.startsWith('EHLO')) throw new Error('bug in fault');
        },
      }),
    };
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port, [broken]);

    const sent = await sendStamped(link.port, 'm-broken');
    const record = await link.closed();

    expect(sent.error).toBeDefined();
    expect(record).toMatchObject({ closedBy: 'proxy', faults: [{ fault: 'test-broken', dir: 'C', action: 'error', detail: 'Error: bug in fault' }] });
  });

  it('a reply rewrite strips STARTTLS: the client sends the message in plaintext', async () => {
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port, [stripStarttls]);

    const sent = await sendStamped(link.port, 'm-strip');
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(mx.received[0].secure).toBe(false);
    expect(record, dialog(record)).toMatchObject({ starttlsAdvertised: false, starttlsSent: false, handshake: 'none', plaintextMessageIds: ['m-strip'] });
    // smtp-server lists STARTTLS last, so the line before it must become the final one.
    expect(record.ehlo.at(-1)).toBe('AUTH LOGIN PLAIN');
    expect(record.replies).toContain('250 AUTH LOGIN PLAIN');
    expect(record.faults).toMatchObject([{ fault: 'test-strip-starttls', dir: 'S', action: 'replace', detail: expect.stringContaining('250 STARTTLS') }]);
  });

  it('a command answered by the fault downgrades to plaintext on the same connection', async () => {
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port, [downgrade454]);

    const sent = await sendStamped(link.port, 'm-454', { opportunisticTLS: true });
    const record = await link.closed();

    expect(sent.error).toBeUndefined();
    expect(mx.received[0].secure).toBe(false);
    expect(record, dialog(record)).toMatchObject({
      starttlsSent: true,
      starttlsReply: { code: 454 },
      handshake: 'none',
      plaintextMessageIds: ['m-454'],
    });
    expect(record.faults.map((f) => `${f.dir} ${f.action} ${f.detail}`)).toEqual(['C replace+answer STARTTLS', expect.stringMatching(/^S drop 250 /)]);
  });

  it('a TLS-phase fault answers the ClientHello with an alert: the handshake fails', async () => {
    await using mx = await startSmtpServer({ ...pki });
    await using link = await startLink(mx.port, [alertOnHello]);

    const sent = await sendStamped(link.port, 'm-alert');
    const record = await link.closed();

    expect(sent.error).toBeDefined();
    expect(mx.received).toHaveLength(0);
    expect(record, dialog(record)).toMatchObject({
      handshake: 'failed',
      handshakeFailure: 'alert handshake_failure',
      alert: { from: 'server', code: 40 },
      closedBy: 'proxy',
      faults: [{ fault: 'test-alert-on-hello', dir: 'C', action: 'drop+answer+close:end' }],
    });
  });
});
