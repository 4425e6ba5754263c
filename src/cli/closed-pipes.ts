import { streamWrites } from '../util/stream-writes.js';

// `flow run x | head -1`: once the reader of stdout (or stderr) is gone,
// writes fail with EPIPE. That is no reason to crash with a stack or to stop
// the run: further output to that stream is dropped, the run goes on, and
// the exit status still tells how it ended.
const dropOutputOnClosedPipe = (stream: NodeJS.WriteStream): void => {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') {
      throw error;
    }
    streamWrites(stream).drop();
  });
};

let installed = false;

export const handleClosedPipes = (): void => {
  if (!installed) {
    installed = true;
    dropOutputOnClosedPipe(process.stdout);
    dropOutputOnClosedPipe(process.stderr);
  }
};
