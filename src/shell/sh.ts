import { createInterface } from 'node:readline';
import { getRunContext } from '../engine/context.js';
import { ShellCommandError } from '../errors.js';
import type { RunLogger } from '../logging/logger.js';
import { killProcessGroup, trackProcessGroup } from './process-registry.js';

// Defined with flowrun's other errors, so that the parallel runner can rebuild
// it when one crosses back from a worker thread.
export { ShellCommandError };

export interface ShOptions {
  readonly cwd?: string;
  /** Added to the environment of the command. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run the command through a shell (pipes, globs, `&&`). @default false */
  readonly shell?: boolean;
}

const STDERR_TAIL_LINES = 5;
const FORCE_KILL_AFTER_MS = 2_000;

const describeCommand = (command: string | readonly string[]): string => (typeof command === 'string' ? command : command.join(' '));

/**
 * Runs a command inside a task, streaming its output into the run's log as
 * it comes (stdout at INFO, stderr at WARNING), and gives its stdout.
 * A string is split into a program and its arguments (no shell) unless
 * `shell: true`; a list is the program and its arguments as they are. A
 * non-zero exit throws ShellCommandError with the exit code and the last
 * lines of stderr. When the run times out or is cancelled, the command and
 * every process it started are killed.
 */
export const sh = async (command: string | readonly string[], options: ShOptions = {}): Promise<string> => {
  const { execa, parseCommandString } = await import('execa');
  const context = getRunContext();
  const logger: RunLogger | undefined = context?.logger;
  const signal = context?.signal;
  const [file, ...args] = typeof command === 'string' ? (options.shell === true ? [command] : parseCommandString(command)) : command;
  if (file === undefined || file === '') {
    throw new ShellCommandError('sh() needs a command to run, got an empty one.', undefined, []);
  }
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    shell: options.shell === true,
    reject: false,
    stdin: 'ignore',
    // Its own process group, so the whole tree can be ended at once.
    detached: true,
    buffer: { stdout: true, stderr: false },
  });
  const untrack = subprocess.pid === undefined ? () => false : trackProcessGroup(subprocess.pid);
  const stopOnAbort = (): void => {
    if (subprocess.pid !== undefined) {
      killProcessGroup(subprocess.pid, 'SIGTERM');
      setTimeout(() => killProcessGroup(subprocess.pid ?? 0, 'SIGKILL'), FORCE_KILL_AFTER_MS).unref();
    }
  };
  signal?.addEventListener('abort', stopOnAbort, { once: true });
  const stderrTail: string[] = [];
  const stdoutLines = subprocess.stdout === null ? undefined : createInterface({ input: subprocess.stdout });
  stdoutLines?.on('line', (line) => (logger === undefined ? process.stdout.write(`${line}\n`) : logger.info(line)));
  const stderrLines = subprocess.stderr === null ? undefined : createInterface({ input: subprocess.stderr });
  stderrLines?.on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) {
      stderrTail.shift();
    }
    if (logger === undefined) {
      process.stderr.write(`${line}\n`);
    } else {
      logger.warning(line);
    }
  });
  try {
    const result = await subprocess;
    if (result.failed) {
      const tail = stderrTail.length > 0 ? `; last lines of stderr:\n${stderrTail.join('\n')}` : '';
      const why =
        signal?.aborted === true
          ? `was stopped (${String((signal.reason as Error | undefined)?.message ?? 'the run was cancelled')})`
          : result.exitCode !== undefined
            ? `failed with exit code ${result.exitCode}`
            : `failed: ${result.shortMessage}`;
      throw new ShellCommandError(`Command ${why}: ${describeCommand(command)}${tail}`, result.exitCode, [...stderrTail]);
    }
    return String(result.stdout).trimEnd();
  } finally {
    signal?.removeEventListener('abort', stopOnAbort);
    untrack();
  }
};
