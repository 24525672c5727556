#!/usr/bin/env node
// Entry point of the `mailhop` command: runs the compiled CLI from dist/ (built by `npm run build`,
// which `npm ci` runs through the `prepare` script).
import { main } from '../dist/harness/cli/main.js';
import { endQuietlyWhenPipeCloses } from '../dist/harness/cli/pipe-closed.js';

endQuietlyWhenPipeCloses();
process.exitCode = await main(process.argv.slice(2));
