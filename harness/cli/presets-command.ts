import type { Command } from 'commander';
import { describePreset, presetTable } from '../presets/describe-preset.js';

/**
 * `mailhop presets [file...]`: the MTA presets a hop can name (`preset:`), what each does and where it comes from;
 * with preset files, checks them and shows them the same way. Exit 0; a preset file with problems is thrown as
 * MailhopError EUSAGE listing each problem at its file:line:column (main prints it, exit 2).
 */
export function addPresetsCommand(program: Command): void {
  program
    .command('presets')
    .argument('[files...]', 'preset files to check and show (default: the bundled presets)')
    .description('list the MTA presets for `preset:` on a hop (policy, fallback, reply to a 454, Received format, sources); check preset files')
    .action((files: string[]) => {
      process.stdout.write(files.length ? presetTable(files.map(describePreset)) : presetTable());
    });
}
