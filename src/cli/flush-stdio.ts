// Waits for what was written to stdout and stderr to go out before the CLI
// exits: process.exit() drops whatever a slow reader of a pipe has not taken
// yet. Writes are flushed in order, so the callback of an empty write comes
// once everything queued before it is out. ('drain' would not do: Node emits
// it only after a write that passed the high-water mark, so waiting on it
// for a smaller backlog never ends, and Node then exits with status 13.)
// A stream whose reader is gone never flushes: it is not waited on.

const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  stream.writableLength === 0 || stream.destroyed
    ? Promise.resolve()
    : new Promise((resolve) => {
        stream.once('close', resolve);
        stream.once('error', () => resolve());
        stream.write('', () => resolve());
      });

/** Resolves once stdout and stderr are flushed, or after `maxMs`. */
export const flushStdio = async (maxMs = Number.POSITIVE_INFINITY): Promise<void> => {
  const both = Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  if (maxMs === Number.POSITIVE_INFINITY) {
    await both;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, maxMs);
  });
  await Promise.race([both, late]);
  clearTimeout(timer);
};
