import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Spawns the real `bin/flow` (the built CLI) and collects what it printed.
// Colour is off unless the test asks for it, and the child is always killed
// when it outlives its timeout, so a hung run fails the test instead of
// hanging the suite.

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FLOW_BIN = fileURLToPath(new URL('../../bin/flow.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
  /** Read nothing from the CLI's stdout for this long, like a slow consumer of a pipe. */
  readonly stdoutPausedMs?: number;
}

// The environment of a CLI run: no colour, no CI detection games, nothing
// from the test runner's own FLOW_* settings.
const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FLOW_') && key !== 'FORCE_COLOR' && key !== 'NO_COLOR' && !key.startsWith('NODE_TEST')) {
      env[key] = value;
    }
  }
  return env;
};

export const runCli = (args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...baseEnv(), NO_COLOR: '1', ...options.env };
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) {
        delete env[key];
      }
    }
    const child = spawn(process.execPath, [FLOW_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (options.stdoutPausedMs !== undefined) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), options.stdoutPausedMs);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flow ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });

const TIMESTAMP = /^\d{2}:\d{2}:\d{2}\.\d{3} \|/;

/** The log lines of stderr with their timestamps replaced by `HH:MM:SS.mmm`. */
export const normaliseLines = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(TIMESTAMP, 'HH:MM:SS.mmm |'));

/** The same lines, with run names replaced by placeholders (random flow run names). */
export const normaliseRunNames = (lines: readonly string[]): string[] => {
  const flowRunNames = new Map<string, string>();
  return lines.map((line) =>
    line.replace(/(Flow run|flow run|subflow run) '([a-z]+-[a-z]+)'/g, (_whole, prefix: string, name: string) => {
      if (!flowRunNames.has(name)) {
        flowRunNames.set(name, `<flow-run-${flowRunNames.size + 1}>`);
      }
      return `${prefix} '${flowRunNames.get(name) ?? name}'`;
    }),
  );
};

/** A CLI started in the background, for tests that act on it while it runs (signals). */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once the stream's text so far includes `marker`. */
  waitFor(stream: 'stdout' | 'stderr', marker: string): Promise<void>;
  /** The exit code; the child is killed (and this rejects) if it has not exited in `timeoutMs`. */
  readonly exited: Promise<number | null>;
}

export const startCli = (args: readonly string[], options: RunCliOptions = {}): RunningCli => {
  const child = spawn(process.execPath, [FLOW_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  const waiters: { stream: 'stdout' | 'stderr'; marker: string; resolve: () => void }[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      text[stream] += chunk;
      for (const waiter of waiters.filter((candidate) => candidate.stream === stream && text[stream].includes(candidate.marker))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  }
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flow ${args.join(' ')} did not exit in ${options.timeoutMs ?? 30_000} ms\nstderr:\n${text.stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    waitFor: (stream, marker) =>
      text[stream].includes(marker) ? Promise.resolve() : new Promise((resolve) => waiters.push({ stream, marker, resolve })),
    exited,
  };
};
