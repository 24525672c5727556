/**
 * A scenario's `submit:`: who sends on the submission link (`client -> first hop`), told apart by `sender:`.
 * - mailhop's own client (no `sender:`, or `sender: mailhop`) under one of its TLS policies (policies.ts `Submit`), or
 *   behaving as a real client library does (`preset: smtplib-starttls`, ...: client-presets.ts);
 * - the application under test (`sender: app`): mailhop's client sends nothing. The chain hands out the first hop's
 *   "send to" address (its link proxy, so the wire is witnessed: `chain.submission()`) and the application submits
 *   there; the submission link is judged from the wire and the first hop alone (verdict/app-sender.ts), and faults on
 *   `client -> first hop` act on the application's connections (`attempts: [n]` counts them, from 1).
 */
import { z } from 'zod';
import { defaultTls, SUBMIT_VARIANTS } from './policies.js';
import { withClientPreset } from './client-presets.js';

/** The application under test submits (`submit: { sender: app }`). */
export const AppSubmit = z.strictObject({ sender: z.literal('app') });
export type AppSubmit = z.output<typeof AppSubmit>;

/** A scenario's `submit:`: mailhop's client under a policy, or the application. */
export const SubmitSpec = z.preprocess(
  (value) => (value && typeof value === 'object' && (value as { sender?: unknown }).sender === 'app' ? value : defaultTls(withClientPreset(value))),
  z.discriminatedUnion('sender', [AppSubmit, z.discriminatedUnion('tls', [...SUBMIT_VARIANTS])]),
);
export type SubmitSpec = z.output<typeof SubmitSpec>;

/** Whether the application under test submits (`submit: { sender: app }`), not mailhop's client. */
export function isAppSubmit(submit: SubmitSpec): submit is AppSubmit {
  return submit.sender === 'app';
}
