import { getGlobalSingleton } from '../util/global-singleton.js';

// Every task made by task() in this thread, by key. A worker thread imports a
// task's module, which defines its tasks again, then finds the function here
// by the key the main thread sent: only data crosses the thread boundary.
// Two different functions under one key (two tasks with one name in one
// module) make the key ambiguous, and such a task is not shipped.

interface RegistryEntry {
  readonly fn: (...args: never[]) => unknown;
  readonly ambiguous: boolean;
}

const registry = getGlobalSingleton('task-registry', () => new Map<string, RegistryEntry>());

export const registerTask = (key: string, fn: (...args: never[]) => unknown): void => {
  const existing = registry.get(key);
  registry.set(key, { fn, ambiguous: existing !== undefined && existing.fn !== fn });
};

export type TaskLookup =
  | { readonly found: true; readonly fn: (...args: never[]) => unknown }
  | { readonly found: false; readonly reason: string };

export const findRegisteredTask = (key: string): TaskLookup => {
  const entry = registry.get(key);
  if (entry === undefined) {
    return { found: false, reason: `no task with key '${key}' is defined when its module is imported` };
  }
  if (entry.ambiguous) {
    return { found: false, reason: `its module defines more than one task named like it (key '${key}')` };
  }
  return { found: true, fn: entry.fn };
};
