import { UsageError } from '../errors.js';
import { EXIT_CODES } from './exit-codes.js';

export interface ErrorReportOptions {
  readonly debug: boolean;
  readonly stream: { write(chunk: string): unknown };
}

// The only place the CLI prints an error it caught. Bad input (UsageError) is
// one line and exit 2; anything else is a bug or a broken environment and
// gets its stack and exit 1. --debug always shows the stack, through the
// source maps that bin/flow.js turns on for it.
export const reportError = (error: unknown, options: ErrorReportOptions): number => {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (error instanceof UsageError) {
    options.stream.write(`error: ${error.message}\n`);
    if (options.debug) {
      options.stream.write(`${stack}\n`);
      const cause = error.cause;
      if (cause instanceof Error && cause.stack) {
        options.stream.write(`Caused by: ${cause.stack}\n`);
      }
    }
    return EXIT_CODES.usage;
  }
  options.stream.write(`error: flowrun failed unexpectedly: ${stack}\n`);
  if (!options.debug) {
    // Without --debug the stack names minified chunks of dist/, which a bug report cannot use.
    options.stream.write("Run it again with --debug for a stack that names flowrun's source files.\n");
  }
  return EXIT_CODES.failed;
};
