import { task, type Task } from '../tasks/task.js';
import type { TaskOptions } from '../tasks/options.js';
import { sh, type ShOptions } from './sh.js';

export interface ShellTaskOptions<Args extends unknown[]> extends TaskOptions<Args>, ShOptions {
  readonly name: string;
  /** The command: a string, a program and its arguments, or a function of the task's arguments giving either. */
  readonly command: string | readonly string[] | ((...args: Args) => string | readonly string[]);
}

/**
 * A task that runs a command (Prefect 1's ShellTask): its output streams
 * into the run's log, a non-zero exit fails the run, and its result is the
 * command's stdout. Define it at the top level of a module, like any task.
 */
export const shellTask = <Args extends unknown[] = []>(options: ShellTaskOptions<Args>): Task<Args, string> => {
  const { command, cwd, env, shell, ...taskOptions } = options;
  const shOptions: ShOptions = { ...(cwd === undefined ? {} : { cwd }), ...(env === undefined ? {} : { env }), ...(shell === undefined ? {} : { shell }) };
  return task(taskOptions, (...args: Args) => sh(typeof command === 'function' ? command(...args) : command, shOptions));
};
