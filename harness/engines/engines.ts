/** The real MTAs by name. */
import type { RealEngineName } from '../scenario/hop-kind.js';
import type { EngineDefinition } from './engine-definition.js';
import { exim } from './exim.js';
import { opensmtpd } from './opensmtpd.js';
import { postfix } from './postfix.js';
import { sendmail } from './sendmail.js';

export const ENGINES: Readonly<Record<RealEngineName, EngineDefinition>> = { postfix, sendmail, exim, opensmtpd };
