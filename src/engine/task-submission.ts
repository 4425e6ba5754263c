import { collectUpstreams, type Upstream } from '../futures/resolve.js';
import { getStateResult, isTaskFuture, TaskFuture } from '../futures/task-future.js';
import { LOG_LEVELS } from '../logging/levels.js';
import type { TaskRunJob } from '../runners/task-runner.js';
import { pendingAt } from '../states/shared-states.js';
import { hasRunEnded, type State } from '../states/state.js';
import { getParameterNames } from '../util/function-parameters.js';
import type { ResolvedTaskOptions } from '../tasks/options.js';
import { getRunContext, refuseIfRunIsOver, requireFlowRunContext, type ChildRun, type FlowRunContext } from './context.js';
import { flowRunSource } from './run-log.js';
import type { TaskInvoker } from './invocation.js';
import { renderNameTemplate } from './name-template.js';
import { createTaskRunName } from './run-names.js';
import { newRunId } from '../util/run-id.js';
import { HISTORY_ROW, type TaskRun } from './runs.js';
import { crashTaskRun, runTaskRun, type ExecutableTask, type TaskGate } from './task-engine.js';

/** What submitting needs of a task definition. */
export interface SubmittableTask extends ExecutableTask {
  readonly keyHash: string;
  readonly options: ResolvedTaskOptions<never>;
}

// The values a taskRunName template can use: parameters by name (read from
// the function's source), by position ('{0}'), and the keys of a single
// plain-object argument.
const getTemplateParameters = (task: SubmittableTask, args: readonly unknown[]): Record<string, unknown> => {
  const parameters: Record<string, unknown> = {};
  const names = getParameterNames(task.fn);
  args.forEach((value, index) => {
    parameters[String(index)] = value;
    const name = names[index];
    if (name !== undefined && name !== '') {
      parameters[name] = value;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isTaskFuture(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (!Object.hasOwn(parameters, key)) {
          parameters[key] = item;
        }
      }
    }
  });
  return parameters;
};

const createTaskRun = (flow: FlowRunContext, task: SubmittableTask, args: readonly unknown[], upstreamIds: readonly string[]): TaskRun => {
  const index = flow.taskRunCounts.get(task.key) ?? 0;
  flow.taskRunCounts.set(task.key, index + 1);
  const template = task.options.taskRunName;
  const name =
    template === undefined
      ? createTaskRunName(task.name, task.keyHash, index)
      : renderNameTemplate(template, getTemplateParameters(task, args), `task '${task.name}' option taskRunName`);
  const run: TaskRun = {
    // A retried flow run's task runs keep their ids.
    id: flow.earlier?.taskRun(task.key, index)?.id ?? newRunId(),
    name,
    taskName: task.name,
    taskKey: task.key,
    flowRunId: flow.flowRun.id,
    tags: task.options.tags,
    upstreamIds,
    dynamicKey: index,
    state: pendingAt(flow.runtime.now()),
    // Every run has the same fields from the start: one shape for V8.
    resultKeeping: undefined,
    [HISTORY_ROW]: undefined,
  };
  flow.liveTaskRuns.add(run);
  flow.runtime.reporter.taskRunStateChanged(run, run.state, undefined);
  return run;
};

const announce = (flow: FlowRunContext, run: TaskRun, immediate: boolean): void => {
  const { reporter } = flow.runtime;
  if (LOG_LEVELS.INFO < reporter.level) {
    return;
  }
  const source = flowRunSource(flow.flowRun);
  const time = flow.runtime.now();
  reporter.log({ kind: 'task-run-created', time, level: LOG_LEVELS.INFO, source, taskRunId: run.id, taskRunName: run.name, taskName: run.taskName, taskRun: run });
  reporter.log({ kind: 'task-run-submitted', time, level: LOG_LEVELS.INFO, source, taskRunId: run.id, taskRunName: run.name, immediate, taskRun: run });
};

// A run handed to a runner. A class rather than an object of closures: one
// is made for every task run, and a flow may submit a hundred thousand at once.
class PreparedJob implements TaskRunJob {
  readonly taskRun: TaskRun;
  readonly direct: boolean;
  readonly nested: boolean;
  readonly #flow: FlowRunContext;
  readonly #task: SubmittableTask;
  readonly #args: readonly unknown[];
  readonly #upstreams: readonly Upstream[];
  readonly #gate: TaskGate | undefined;
  #running: Promise<State> | undefined;

  constructor(flow: FlowRunContext, task: SubmittableTask, args: readonly unknown[], upstreams: readonly Upstream[], direct: boolean, gate: TaskGate | undefined) {
    this.#flow = flow;
    this.#task = task;
    this.#args = args;
    this.#upstreams = upstreams;
    this.#gate = gate;
    this.taskRun = createTaskRun(flow, task, args, upstreams.length === 0 ? NO_UPSTREAM_IDS : upstreams.map(({ future }) => future.taskRun.id));
    this.direct = direct;
    this.nested = getRunContext()?.kind === 'task';
  }

  announce(immediate: boolean): void {
    // A run cancelled while it waited for its turn (a sequential runner's
    // queue) has had its last line: it is not announced after it.
    if (!hasRunEnded(this.taskRun.state)) {
      announce(this.#flow, this.taskRun, immediate);
    }
  }

  run(invoke?: TaskInvoker): Promise<State> {
    this.#running = runTaskRun(this.#flow, this.taskRun, this.#task, this.#args, this.#upstreams, invoke, this.#gate);
    return this.#running;
  }

  /** Whether a runner handed back run()'s own promise, which never rejects (runTaskRun). */
  isOwnOutcome(outcome: Promise<State>): boolean {
    return outcome === this.#running;
  }
}

const NO_UPSTREAM_IDS: readonly string[] = Object.freeze([]);
const NO_UPSTREAMS: readonly Upstream[] = Object.freeze([]);

// Only objects can hold futures; most runs get plain values (a .map's items).
const mayHoldFutures = (value: unknown): boolean => typeof value === 'object' && value !== null;

const prepareJob = (
  flow: FlowRunContext,
  task: SubmittableTask,
  args: readonly unknown[],
  waitFor: readonly unknown[],
  direct: boolean,
  gate?: TaskGate,
): PreparedJob => {
  const upstreams = waitFor.length > 0 || args.some(mayHoldFutures) ? collectUpstreams([args, waitFor]) : NO_UPSTREAMS;
  return new PreparedJob(flow, task, args, upstreams, direct, gate);
};

// Hands a run to the flow's runner. A runner that throws instead of
// returning a state has failed, not the task: the run is Crashed and its
// future still settles. A runner that hands back the run's own promise (the
// concurrent one does), which never rejects, needs no guard: it would cost a
// promise and a closure per run, and a flow may have a hundred thousand.
const handToRunner = (flow: FlowRunContext, job: PreparedJob): Promise<State> => {
  let outcome: Promise<State>;
  try {
    outcome = flow.runner.submit(job);
  } catch (error) {
    outcome = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return job.isOwnOutcome(outcome) ? outcome : outcome.catch((error: unknown) => crashTaskRun(flow, job.taskRun, error));
};

/** `t.submit(...)`: hands the run to the flow's runner and returns its future at once. */
export const submitTask = <R>(
  task: SubmittableTask,
  args: readonly unknown[],
  waitFor: readonly unknown[] = [],
  gate?: TaskGate,
): TaskFuture<R> => {
  const flow = requireFlowRunContext(`${task.name}.submit()`, task.name);
  const job = prepareJob(flow, task, args, waitFor, false, gate);
  const future = new TaskFuture<R>(job.taskRun, handToRunner(flow, job) as Promise<State<R>>);
  flow.children.push(future);
  return future;
};

// A direct call as a child of its flow run: its state can be read without
// waiting, so a flow run that ends early (timed out, cancelled) need not
// wait for a call whose code never returns.
class DirectCall implements ChildRun {
  readonly #run: TaskRun;
  readonly #final: Promise<State>;

  constructor(run: TaskRun, final: Promise<State>) {
    this.#run = run;
    this.#final = final;
  }

  get state(): State {
    return this.#run.state;
  }

  wait(): Promise<State> {
    return this.#final;
  }
}

/**
 * `await t(...)`: a task run of this flow run, announced as executing
 * immediately, that gives its result or throws its error. Outside a flow it
 * is a plain call of the function.
 */
export const callTask = async <R>(task: SubmittableTask, args: readonly unknown[], waitFor: readonly unknown[] = []): Promise<R> => {
  const context = getRunContext();
  const flow = context?.kind === 'task' ? context.flowContext : context;
  if (context === undefined || flow === undefined) {
    return (await (task.fn as (...values: unknown[]) => unknown)(...args)) as R;
  }
  refuseIfRunIsOver(context, `${task.name}()`);
  const job = prepareJob(flow, task, args, waitFor, true);
  const final = handToRunner(flow, job);
  flow.children.push(new DirectCall(job.taskRun, final));
  return getStateResult((await final) as State<R>);
};
