// Runs one benchmarked command as a user would (a fresh process), and reads
// what it cost: wall time, peak RSS (through report-rss.cjs, worker threads
// included) and, when its log lines went to a file, the flow run's own span.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FLOW_BIN = join(REPO_ROOT, 'bin', 'flow.js');
const RSS_PRELOAD = fileURLToPath(new URL('./report-rss.cjs', import.meta.url));

export interface CommandCost {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  /** From the first log line to the last, when the command wrote timestamped lines. */
  readonly flowRunSeconds: number | undefined;
}

const scratch = mkdtempSync(join(tmpdir(), 'flowrun-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** A new empty folder, removed with the others when the suite ends (a storeDir for one run). */
export const scratchFolder = (): string => mkdtempSync(join(scratch, 'store-'));

const STAMP = /^(\d\d):(\d\d):(\d\d)\.(\d{3}) \|/gm;

const logSpanSeconds = (text: string): number | undefined => {
  const stamps = [...text.matchAll(STAMP)].map(([, h, m, s, ms]) => ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms));
  const first = stamps[0];
  const last = stamps.at(-1);
  return first === undefined || last === undefined ? undefined : (last - first) / 1000;
};

/**
 * Runs `node [nodeArgs] args`, stdout discarded and stderr (the log lines)
 * written to a file, as `flow run ... 2> run.log` would; fails loudly when
 * the command does.
 */
export const measureCommand = (nodeArgs: readonly string[], args: readonly string[], env: Record<string, string> = {}): CommandCost => {
  const logFile = join(scratch, 'stderr.log');
  const rssFile = join(scratch, 'rss');
  const stderr = openSync(logFile, 'w');
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--require', RSS_PRELOAD, ...nodeArgs, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', stderr],
    env: { ...process.env, NO_COLOR: '1', BENCH_RSS_FILE: rssFile, ...env },
  });
  const wallSeconds = (performance.now() - start) / 1000;
  closeSync(stderr);
  const log = readFileSync(logFile, 'utf8');
  if (result.status !== 0) {
    throw new Error(`node ${[...nodeArgs, ...args].join(' ')} exited ${result.status ?? result.signal}:\n${log.slice(-2000)}`);
  }
  return { wallSeconds, peakRssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024, flowRunSeconds: logSpanSeconds(log) };
};

/** `flow <args>` through bin/flow.js, the built CLI. */
export const measureFlow = (args: readonly string[], env?: Record<string, string>): CommandCost => measureCommand([], [FLOW_BIN, ...args], env);
