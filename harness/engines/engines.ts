/** The real MTAs by name. */
import type { RealEngineName } from '../trace/events.js';
import type { EngineDefinition } from './engine-definition.js';
import { exim } from './exim.js';
import { opensmtpd } from './opensmtpd.js';
import { postfix } from './postfix.js';
import { sendmail } from './sendmail.js';

export const ENGINES: Readonly<Record<RealEngineName, EngineDefinition>> = { postfix, sendmail, exim, opensmtpd };
