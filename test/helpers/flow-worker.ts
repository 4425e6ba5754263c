import { spawn, type ChildProcess } from 'node:child_process';
import { FLOW_BIN } from './run-cli.js';

// A `flow worker` process for a test: started in a project, ready once it
// prints its ready line, and killed when the test ends if it still runs.

export interface FlowWorker {
  readonly child: ChildProcess;
  /** What it printed so far. */
  output(): string;
  /** Sends `signal` and resolves with its exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Where the worker is killed at the end: a test's context, or a suite's after(). */
export interface Cleanup {
  after(fn: () => void): void;
}

export const startFlowWorker = async (test: Cleanup, cwd: string, args: readonly string[], timeoutMs = 20_000): Promise<FlowWorker> => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FLOW_') && !key.startsWith('NODE_TEST')) {
      env[key] = value;
    }
  }
  const child = spawn(process.execPath, [FLOW_BIN, 'worker', ...args], { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  test.after(() => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  });
  const deadline = Date.now() + timeoutMs;
  while (!/ serving queue '/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`flow worker did not get ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
};
