// The same workloads on Dask, through the team's anchor scripts
// (../shared/anchors/dask, or DASK_ANCHORS), with Debian's python3-dask.
// Where either is missing, the suite says so and goes on without Dask.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './command.js';

const PYTHON = '/usr/bin/python3';
const ANCHORS = resolve(process.env['DASK_ANCHORS'] ?? join(REPO_ROOT, '..', 'shared', 'anchors', 'dask'));

/** Why Dask cannot be measured here, or undefined when it can. */
export const daskUnavailable = (): string | undefined => {
  if (!existsSync(join(ANCHORS, 'w1_fanout.py'))) {
    return `no anchor scripts at ${ANCHORS} (set DASK_ANCHORS)`;
  }
  const probe = spawnSync(PYTHON, ['-c', 'import dask'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${PYTHON} cannot import dask (apt-get install python3-dask python3-distributed)`;
};

/** Runs one anchor script and returns the JSON line it prints. */
export const runDask = (script: string, args: readonly string[]): Record<string, number | string> => {
  const result = spawnSync(PYTHON, [join(ANCHORS, script), ...args], { encoding: 'utf8', timeout: 600_000 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${script} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.slice(-500)}`);
  }
  return JSON.parse(line) as Record<string, number | string>;
};
