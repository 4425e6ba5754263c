import { spawn } from 'node:child_process';
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
