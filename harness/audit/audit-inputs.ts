/**
 * The scenario parts an audit case is written with, as a scenario file takes them (zod input types), so the
 * battery stays plain data and is validated by the one scenario schema when a case is built.
 */
import type { z } from 'zod';
import type { INBOUND_VARIANTS, OUTBOUND_VARIANTS } from '../scenario/policies.js';
import type { LinkFaultSpec } from '../link/faults/index.js';

/** A next hop's `inbound:` (its STARTTLS mode, certificate, TLS parameters). */
export type InboundInput = z.input<(typeof INBOUND_VARIANTS)[number]>;

/** The injecting client's `submit:` policy (any outbound policy but preserve-inbound; the schema checks). */
export type SubmitInput = z.input<(typeof OUTBOUND_VARIANTS)[number]>;

type WithoutEnds<T> = T extends unknown ? Omit<T, 'from' | 'to'> : never;

/** One link fault without `from` and `to` (the case's leg places it). */
export type LinkFaultInput = WithoutEnds<z.input<typeof LinkFaultSpec>>;
