import { LOG_LEVELS } from '../logging/levels.js';
import { formatException, taskErrorToFailedState } from '../states/from-outcome.js';
import { Cached, Failed, type State } from '../states/state.js';
import { displayPath } from '../util/display-path.js';
import { explainUnhashableArguments, isTaskInputHash } from './cache.js';
import type { FlowRunContext } from './context.js';
import { readStoredResult, storedResultPath, UnpersistableResultError, writeStoredResult } from './result-store.js';
import { logTaskRun } from './run-log.js';
import type { TaskRun } from './runs.js';
import type { ExecutableTask } from './task-engine.js';

// A call whose cache key has a stored, unexpired result ends Cached with it,
// without running; a completed call with a key (or persistResult) stores its
// result. What cannot be stored fails the run with a message that says why.
export const runWithCache = (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  execute: () => State | Promise<State>,
): State | Promise<State> => {
  const { options } = task;
  // Most tasks neither cache nor persist: no extra step for them.
  return options.cacheKeyFn === undefined && options.persistResult !== true ? execute() : runCaching(flow, run, task, args, execute);
};

// Task keys already warned about, per flow run: a task mapped over a thousand
// clients warns once, and each flow run's log (a script may run the flow
// again and again in one process) still says why its runs were not cached.
const warnedUnhashable = new WeakMap<FlowRunContext, Set<string>>();

// taskInputHash gave no key: caching is off for this call, and the user
// asked for it. (A cacheKeyFn of the user's own that gives none means it.)
const warnUnhashableOnce = (flow: FlowRunContext, run: TaskRun, task: ExecutableTask, args: readonly unknown[]): void => {
  let warned = warnedUnhashable.get(flow);
  if (warned === undefined) {
    warned = new Set();
    warnedUnhashable.set(flow, warned);
  }
  if (warned.has(task.key)) {
    return;
  }
  warned.add(task.key);
  logTaskRun(
    flow,
    run,
    LOG_LEVELS.WARNING,
    `Task '${task.name}' is not cached: ${explainUnhashableArguments(args)}, which cannot be hashed; pass plain data or give a cacheKeyFn.`,
  );
};

// A key as a debug line shows it: a cacheKeyFn may make them long.
const showKey = (key: string): string => JSON.stringify(key.length > 80 ? `${key.slice(0, 77)}...` : key);

const MISSES = {
  'no entry': 'no stored result in',
  expired: 'the stored result expired in',
  'another key': 'another key holds',
} as const;

const runCaching = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  execute: () => State | Promise<State>,
): Promise<State> => {
  const { options } = task;
  let key: string | undefined;
  try {
    key = options.cacheKeyFn?.(
      { taskKey: task.key, taskName: task.name, taskSource: Function.prototype.toString.call(task.fn), flowRunName: flow.flowRun.name, parameters: flow.flowRun.parameters },
      args as never,
    );
  } catch (error) {
    logTaskRun(flow, run, LOG_LEVELS.ERROR, `The cacheKeyFn of task '${task.name}' threw: ${formatException(error)}`);
    return taskErrorToFailedState(error);
  }
  if (key === undefined && isTaskInputHash(options.cacheKeyFn)) {
    warnUnhashableOnce(flow, run, task, args);
  }
  const debug = LOG_LEVELS.DEBUG >= flow.runtime.reporter.level ? (text: string): void => logTaskRun(flow, run, LOG_LEVELS.DEBUG, text) : undefined;
  if (key === undefined) {
    debug?.('Not cached: its cacheKeyFn gave no key for this call.');
  } else if (options.refreshCache === true) {
    debug?.(`Cache key ${showKey(key)}: refreshCache is set, so it runs and replaces ${displayPath(storedResultPath(flow.storeDir, key))}.`);
  }
  if (key !== undefined && options.refreshCache !== true) {
    const lookup = await readStoredResult(flow.storeDir, key, Date.now());
    if (lookup.kind === 'hit') {
      debug?.(`Cache key ${showKey(key)}: a result stored at ${new Date(lookup.entry.createdAt).toISOString()} in ${displayPath(storedResultPath(flow.storeDir, key))}, so it does not run.`);
      return Cached({ data: lookup.entry.value, timestamp: flow.runtime.now() });
    }
    if (lookup.kind === 'miss') {
      debug?.(`Cache key ${showKey(key)}: ${MISSES[lookup.why]} ${displayPath(lookup.file)}, so it runs.`);
    }
    if (lookup.kind === 'unreadable') {
      logTaskRun(
        flow,
        run,
        LOG_LEVELS.WARNING,
        `The cached result of task '${task.name}' cannot be used: ${displayPath(lookup.file)} ${lookup.problem}. The task runs as if nothing were cached.`,
      );
    }
  }
  const state = await execute();
  // No key means no caching: only persistResult keeps such a result.
  if (state.type !== 'COMPLETED' || (key === undefined && options.persistResult !== true)) {
    return state;
  }
  const expiration = options.cacheExpirationSeconds;
  try {
    await writeStoredResult(
      flow.storeDir,
      {
        key: key ?? `task-run:${run.id}`,
        taskKey: task.key,
        createdAt: Date.now(),
        expiresAt: expiration === undefined ? undefined : Date.now() + expiration * 1000,
        value: state.data,
      },
      task.name,
    );
  } catch (error) {
    const message = error instanceof UnpersistableResultError ? error.message : `Cannot persist the result of task '${task.name}' under ${flow.storeDir}: ${formatException(error)}`;
    logTaskRun(flow, run, LOG_LEVELS.ERROR, message);
    return Failed({ message, error, timestamp: flow.runtime.now() });
  }
  return state;
};

