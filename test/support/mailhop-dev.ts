// The mailhop command run from source (for tests that spawn it): `node --import tsx test/support/mailhop-dev.ts <args>`.
import { main } from '../../harness/cli/main.js';
import { endQuietlyWhenPipeCloses } from '../../harness/cli/pipe-closed.js';

endQuietlyWhenPipeCloses();
process.exitCode = await main(process.argv.slice(2));
