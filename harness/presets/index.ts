/**
 * The MTA presets a hop can name with `preset:` (one file each). Plain data: this module must not import
 * scenario/schema.ts (or hop.ts) at run time, since the schema imports it (see describe-preset.ts for the parsed view).
 */
import type { MtaPreset } from './mta-preset.js';
import { postfix } from './postfix.js';
import { postfixEncrypt } from './postfix-encrypt.js';
import { sendmail } from './sendmail.js';
import { sendmailFallback } from './sendmail-fallback.js';
import { exim } from './exim.js';
import { opensmtpd } from './opensmtpd.js';
import { nodemailerDefault } from './nodemailer-default.js';
import { nodemailerOpportunistic } from './nodemailer-opportunistic.js';
import { messagelabs } from './messagelabs.js';
import { messagelabsBoundary } from './messagelabs-boundary.js';
import { postini } from './postini.js';
import { exchangeOnline } from './exchange-online.js';
import { gmail } from './gmail.js';

export type { MtaPreset, PresetOutbound, AssumedColumn } from './mta-preset.js';

const ALL = {
  postfix,
  'postfix-encrypt': postfixEncrypt,
  sendmail,
  'sendmail-fallback': sendmailFallback,
  exim,
  opensmtpd,
  'nodemailer-default': nodemailerDefault,
  'nodemailer-opportunistic': nodemailerOpportunistic,
  messagelabs,
  'messagelabs-boundary': messagelabsBoundary,
  postini,
  'exchange-online': exchangeOnline,
  gmail,
} satisfies Record<string, MtaPreset>;

export type PresetKey = keyof typeof ALL;

/** Every preset by name, in the order `mailhop presets` lists them. */
export const PRESETS: Readonly<Record<PresetKey, MtaPreset>> = ALL;

/** The preset names, for the schema's enum. */
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetKey, ...PresetKey[]];
