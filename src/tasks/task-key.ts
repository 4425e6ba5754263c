import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getGlobalSingleton } from '../util/global-singleton.js';
import { getFrameLocation, isFlowrunFile } from '../util/own-files.js';

/** The file URL of the first module outside flowrun on the current stack. */
export const findCallerModule = (): string | undefined => {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const location = getFrameLocation(line);
    if (location === undefined) {
      continue;
    }
    const path = location.startsWith('file://') ? fileURLToPath(location) : location;
    if (isFlowrunFile(path)) {
      continue;
    }
    return location.startsWith('file://') ? location : `file://${path}`;
  }
  return undefined;
};

// Task keys are made relative to the project root (API.md section 5), so
// that a key reads the same whatever the working directory: `flow runs
// retry` from another directory, or a cron job started from $HOME, finds the
// task runs and cache entries of earlier runs. The CLI sets the root before
// it loads a flow's module, and hands it to the parallel runner's workers; a
// script that calls a flow itself keys from its working directory.
const keyRoot = getGlobalSingleton<{ dir: string | undefined }>('task-key-root', () => ({ dir: undefined }));

/** Sets the directory task keys are relative to (the project root). */
export const setTaskKeyRoot = (dir: string | undefined): void => {
  keyRoot.dir = dir;
};

export const getTaskKeyRoot = (): string => keyRoot.dir ?? process.cwd();

// The stable key of a task: its module (relative to the project root, so it
// reads the same on every machine) and its name.
export const createTaskKey = (moduleUrl: string | undefined, name: string): string => {
  if (moduleUrl === undefined) {
    return `<unknown>:${name}`;
  }
  const path = moduleUrl.startsWith('file://') ? fileURLToPath(moduleUrl) : moduleUrl;
  return `${relative(getTaskKeyRoot(), path).split(sep).join('/')}:${name}`;
};

// The 8 hex characters of task run names (`print_values-0bb9a2c3-0`): Prefect
// 2 took them from an MD5 of the task's key; so do we.
export const hashTaskKey = (key: string): string => createHash('md5').update(key).digest('hex').slice(0, 8);
