import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FlowLoadError, UsageError } from '../errors.js';
import { formatException } from '../states/from-outcome.js';
import { importUserModule } from '../loader/module-loader.js';
import { displayPath } from '../util/display-path.js';

// esbuild reports a syntax error as "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <what>".
const describeSyntaxError = (error: unknown, cwd: string): string | undefined => {
  const message = error instanceof Error ? error.message : '';
  const match = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (match === null) {
    return undefined;
  }
  const [, file = '', line, column, what] = match;
  return `syntax error at ${displayPath(file, cwd)}:${line}:${column}: ${what}`;
};

// Node's own SyntaxError (a plain .js module) carries no location, so the
// file is checked once more with `node --check`, which prints `[stdin]:<line>`.
// This runs only on the way to an error message.
const findSyntaxErrorLine = (path: string): string | undefined => {
  const check = spawnSync(process.execPath, ['--input-type=module', '--check', '-'], {
    input: readFileSync(path),
    encoding: 'utf8',
    timeout: 5_000,
  });
  return /^\[stdin\]:(\d+)$/m.exec(check.stderr ?? '')?.[1];
};

const describeNodeSyntaxError = (error: unknown, path: string, file: string): string | undefined => {
  if (!(error instanceof SyntaxError)) {
    return undefined;
  }
  const line = findSyntaxErrorLine(path);
  return `syntax error${line === undefined ? '' : ` at ${file}:${line}`}: ${error.message}`;
};

/**
 * Imports a flow module. What goes wrong while loading it (a syntax error, a
 * missing import, an exception at the top level) becomes one FlowLoadError
 * naming the file, exit status 2 in the CLI.
 */
export const importFlowModule = async (path: string, cwd = process.cwd()): Promise<Record<string, unknown>> => {
  try {
    return await importUserModule(path);
  } catch (error) {
    const file = displayPath(path, cwd);
    const code = (error as { code?: string }).code;
    const syntax = describeSyntaxError(error, cwd) ?? describeNodeSyntaxError(error, path, file);
    if (syntax !== undefined) {
      throw new FlowLoadError(`cannot load flow module ${file}: ${syntax}; fix the file and run again.`, error);
    }
    // flowrun's own usage error, raised while the module built its flows (a
    // graph that binds a key its task does not take): it is the message.
    if (error instanceof UsageError) {
      throw new FlowLoadError(`${file}: ${error.message}`, error);
    }
    // ESM's code, and CommonJS's (a require() of a file or package that is not there).
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new FlowLoadError(`cannot load flow module ${file}: ${(error as Error).message.split('\n')[0]}; check the import (or npm install it).`, error);
    }
    throw new FlowLoadError(
      `flow module ${file} threw while loading: ${formatException(error)}; a flow module should only define flows and tasks at import (--debug shows its stack).`,
      error,
    );
  }
};
