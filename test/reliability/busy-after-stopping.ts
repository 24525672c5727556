// Preloaded into a mailhop CLI child (`node --import`): once `run` says it is stopping its chains, the
// event loop is kept busy for 30 s, as judging a large report synchronously keeps it; meanwhile no
// JavaScript signal handler can run. Nothing else changes.
const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array) => boolean;
process.stderr.write = ((chunk: string | Uint8Array) => {
  const written = write(chunk);
  if (String(chunk).includes('stopping the running chains')) {
    setImmediate(() => {
      const end = Date.now() + 30_000;
      while (Date.now() < end);
    });
  }
  return written;
}) as typeof process.stderr.write;
