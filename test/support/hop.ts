/**
 * Test fixture for one hop on its own: its server (and front) on an ephemeral loopback port with a
 * generated certificate, its trace, and a dialog helper that speaks SMTP to it line by line
 * (mailhop's own SmtpClient, whose transcript a failing assertion prints).
 */
import { expect } from 'vitest';
import { VirtualClock } from '../../harness/chain/virtual-clock.js';
import { startHopServer, type AcceptedMessage, type StartedHopServer } from '../../harness/mta/hop-server.js';
import type { HopLimits } from '../../harness/mta/hop-limits.js';
import { SmtpClient, type SmtpReply } from '../../harness/mta/smtp-client.js';
import { RunPki } from '../../harness/pki/run-pki.js';
import { Inbound, type Inbound as InboundInput } from '../../harness/scenario/schema.js';
import { Trace } from '../../harness/trace/trace.js';
import type { z } from 'zod';

export const HOSTNAME = 'mx.mailhop.test';
export const LINK = 'client->mx';

/** A started hop with what it recorded. */
export interface TestHop extends AsyncDisposable {
  server: StartedHopServer;
  trace: Trace;
  pki: RunPki;
  accepted: AcceptedMessage[];
}

/** Starts hop `mx` with the given inbound settings (schema defaults filled) and limits (defaults otherwise). */
export async function startTestHop(inbound: z.input<typeof Inbound> = {}, limits: Partial<HopLimits> = {}): Promise<TestHop> {
  const clock = new VirtualClock();
  const trace = new Trace(clock);
  const pki = await RunPki.create();
  const parsed: InboundInput = Inbound.parse(inbound);
  const accepted: AcceptedMessage[] = [];
  const server = await startHopServer({
    hopId: 'mx', hostname: HOSTNAME, inbound: parsed, keyCert: await pki.issue(HOSTNAME, parsed.cert),
    inboundLink: LINK, trace, clock, onMessage: (m) => accepted.push(m), limits,
  });
  return { server, trace, pki, accepted, [Symbol.asyncDispose]: () => server.stop() };
}

/** Opens an SMTP dialog with a hop (or any address) and reads the greeting. */
export async function dial(address: { host: string; port: number }, pki?: RunPki, timeoutMs = 2_000): Promise<SmtpClient> {
  const client = await SmtpClient.connect({
    ...address, ehloName: 'client.mailhop.test', timeoutMs, servername: HOSTNAME, ca: pki ? [pki.ca.cert] : [],
  });
  await expectReply(client, client.readReply(), 220);
  return client;
}

/** The dialog so far, one line each, for assertion messages. */
export function dialog(client: SmtpClient): string {
  return client.transcript.map((l) => `${l.dir}: ${l.text}`).join('\n');
}

/** Awaits a reply and checks its code; on a mismatch the dialog is printed. */
export async function expectReply(client: SmtpClient, pending: Promise<SmtpReply>, code: number): Promise<SmtpReply> {
  const reply = await pending;
  expect(reply.code, dialog(client)).toBe(code);
  return reply;
}

/** Sends a command and checks the reply code (mailpit's `cmdCode`). */
export function cmd(client: SmtpClient, line: string, code: number): Promise<SmtpReply> {
  return expectReply(client, client.command(line), code);
}
