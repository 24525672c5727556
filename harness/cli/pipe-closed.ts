/**
 * `mailhop run ... | head`: a reader that stops reading is not an error of the run. Without this, the
 * next write raises an unhandled EPIPE and a stack trace; with it the process ends quietly with the exit
 * code set so far (0 when none), as other command-line tools do.
 */
export function endQuietlyWhenPipeCloses(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
}
