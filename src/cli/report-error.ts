import { UsageError } from '../errors.js';
import { EXIT_CODES } from './exit-codes.js';

export interface ErrorReportOptions {
  readonly debug: boolean;
  readonly stream: { write(chunk: string): unknown };
}

// The only place the CLI prints an error it caught. Bad input (UsageError) is
// one line and exit 2; anything else is a bug or a broken environment and
// gets its stack and exit 1. --debug always shows the stack.
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
  return EXIT_CODES.failed;
};
