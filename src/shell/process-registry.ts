import { getGlobalSingleton } from '../util/global-singleton.js';

// Shell commands run in process groups of their own, so that a timeout or a
// signal can end a command and everything it started. The groups alive are
// kept here, so that a signal to the CLI ends them all before it exits.
const liveGroups = getGlobalSingleton('shell-process-groups', () => new Set<number>());

// A worker thread also tells the main thread of its groups (it may be
// terminated before it can end them itself); this is how.
const watchers = getGlobalSingleton('shell-process-watchers', () => ({ notify: undefined as ((pid: number, alive: boolean) => void) | undefined }));

export const setProcessGroupWatcher = (notify: (pid: number, alive: boolean) => void): void => {
  watchers.notify = notify;
};

export const trackProcessGroup = (pid: number): (() => void) => {
  liveGroups.add(pid);
  watchers.notify?.(pid, true);
  return () => {
    liveGroups.delete(pid);
    watchers.notify?.(pid, false);
  };
};

// Sends a signal to a whole process group; a group already gone is fine.
export const killProcessGroup = (pid: number, signal: NodeJS.Signals = 'SIGTERM'): void => {
  try {
    process.kill(-pid, signal);
  } catch {
    // already exited
  }
};

export const killAllProcessGroups = (signal: NodeJS.Signals = 'SIGKILL'): void => {
  for (const pid of liveGroups) {
    killProcessGroup(pid, signal);
  }
  liveGroups.clear();
};
