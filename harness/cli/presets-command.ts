import type { Command } from 'commander';
import { presetTable } from '../presets/describe-preset.js';

/** `mailhop presets`: the MTA presets a hop can name (`preset:`), what each does and where it comes from; exit 0. */
export function addPresetsCommand(program: Command): void {
  program
    .command('presets')
    .description('list the MTA presets for `preset:` on a hop: policy, fallback, reply to a 454, Received format, sources')
    .action(() => {
      process.stdout.write(presetTable());
    });
}
