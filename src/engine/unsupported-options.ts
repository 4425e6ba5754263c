import { LOG_LEVELS } from '../logging/levels.js';
import type { FlowRunContext } from './context.js';

// Options that API.md defines and the types accept, but that the engine does
// not act on yet. Using one prints a WARNING once per flow run and task,
// rather than letting a user believe a task retried or timed out. Each name
// leaves this list when its feature lands.
const NOT_YET_TASK_OPTIONS = ['cacheKeyFn', 'cacheExpirationSeconds', 'refreshCache', 'persistResult'] as const;

const warned = new WeakMap<FlowRunContext, Set<string>>();

const findUsed = (options: object, names: readonly string[]): string[] =>
  names.filter((name) => (options as Record<string, unknown>)[name] !== undefined);

const warnOnce = (flow: FlowRunContext, key: string, what: string, used: readonly string[]): void => {
  if (used.length === 0) {
    return;
  }
  const seen = warned.get(flow) ?? new Set<string>();
  warned.set(flow, seen);
  if (seen.has(key)) {
    return;
  }
  seen.add(key);
  const { reporter } = flow.runtime;
  if (LOG_LEVELS.WARNING >= reporter.level) {
    reporter.log({
      kind: 'message',
      time: flow.runtime.now(),
      level: LOG_LEVELS.WARNING,
      source: { kind: 'flow-run', name: flow.flowRun.name },
      text: `${what} sets ${used.map((name) => `'${name}'`).join(', ')}, which this version of flowrun does not implement yet; ${used.length === 1 ? 'it is' : 'they are'} ignored.`,
    });
  }
};

export const warnUnsupportedTaskOptions = (flow: FlowRunContext, taskKey: string, taskName: string, options: object): void =>
  warnOnce(flow, `task:${taskKey}`, `Task '${taskName}'`, findUsed(options, NOT_YET_TASK_OPTIONS));
