/**
 * The `mailhop` command line: argument parsing and dispatch only; each command lives in its own
 * file (defined for commander in define-commands.ts) and the work in the library.
 * Exit codes: 0 every expectation held, 1 an expectation failed, 2 bad input (usage or scenario file); a
 * MailhopError that ends a command exits with its code's exit code (ERROR_CODES in errors.ts).
 */
import { Command, CommanderError } from 'commander';
import { runtimeName } from '../runtime/select-runtime.js';
import { packageRoot } from './package-root.js';
import { terminalSafe } from '../report/terminal-safe.js';
import { exitCodeOf, MailhopError } from '../errors.js';
import { defineCommands, type CliSession } from './define-commands.js';

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const session: CliSession = { exitCode: 0, runtime: undefined, command: '' };
  const program = rootProgram(session);
  defineCommands(program, session);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return exitCodeOfUncaught(err, session.command);
  }
  return session.exitCode;
}

/**
 * The `mailhop` program without its subcommands: description, `--version`, the global `--runtime`, and the hook
 * that records in `session` which command runs and with which runtime.
 */
function rootProgram(session: CliSession): Command {
  return new Command('mailhop')
    .description('Chains of mock MTAs on loopback: shows per link and end to end whether mail stayed encrypted')
    .version(packageVersion(), '-V, --version', 'print mailhop\'s version')
    .exitOverride()
    // Commander quotes the arguments it refuses: their control characters are escaped (terminal-safe.ts).
    .configureOutput({ writeErr: (s) => process.stderr.write(terminalSafe(s)) })
    .option('--runtime <name>', 'where hops and link proxies run: in-process (default), workers (worker threads) or containers (one container each; also MAILHOP_RUNTIME)')
    .hook('preAction', (cmd, action) => {
      session.command = action.name();
      const name = cmd.opts<{ runtime?: string }>().runtime;
      if (name) session.runtime = runtimeName(name);
    });
}

/**
 * The exit code of an error that escaped commander's parse: commander's own (0 for `--help` and `--version`,
 * else 2), or a MailhopError's, said once here on stderr as `mailhop <command>: <message>`.
 * @throws the error itself when it is neither (a bug, not an input mailhop refuses).
 */
function exitCodeOfUncaught(err: unknown, command: string): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  // What a command did not say itself (a chain that cannot start under explain, a bad --runtime), said once here.
  if (err instanceof MailhopError) {
    process.stderr.write(`mailhop${command ? ` ${command}` : ''}: ${terminalSafe(err.message)}\n`);
    return exitCodeOf(err);
  }
  throw err;
}

/** mailhop's version from its package.json, found upwards from this file (sources or dist/). */
function packageVersion(): string {
  return packageRoot()?.version ?? 'unknown';
}
