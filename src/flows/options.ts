import type { z } from 'zod';
import type { FlowRun } from '../engine/runs.js';
import type { RunnerName } from '../runners/names.js';
import type { TaskRunner } from '../runners/task-runner.js';
import type { State } from '../states/state.js';

export type FlowHook = (run: FlowRun, state: State) => void | Promise<void>;

/** Options of `flow(options, fn)`, Prefect's camelCased. */
export interface FlowOptions<Params = Record<string, unknown>> {
  /** The flow's name: how `flow run <name>` finds it. @default the function's name, else the export's or file's */
  readonly name?: string;
  readonly description?: string;
  readonly version?: string;
  /** A zod object schema that validates and coerces the parameters (`z` is re-exported). */
  readonly params?: z.ZodType<Params, object>;
  /** Where submitted tasks run. @default 'concurrent' (settings and flags override it) */
  readonly taskRunner?: RunnerName | TaskRunner;
  /** How many times to run the flow's function again when its run fails. @default 0 */
  readonly retries?: number;
  /** Seconds between flow retries. @default 0 */
  readonly retryDelaySeconds?: number;
  /** Seconds after which the flow run ends TimedOut, its live task runs Cancelled. */
  readonly timeoutSeconds?: number;
  /** Turn console.log and friends inside the flow and its tasks into log lines. @default false */
  readonly logPrints?: boolean;
  /** The flow run's name: a template such as 'etl-{date}' or a function of the parameters. */
  readonly flowRunName?: string | ((parameters: Readonly<Record<string, unknown>>) => string);
  /** Called with the run and its state when a flow run completes. */
  readonly onCompletion?: FlowHook | readonly FlowHook[];
  /** Called with the run and its state when a flow run fails (retries exhausted). */
  readonly onFailure?: FlowHook | readonly FlowHook[];
  /** Called with the run and its state when a flow run ends Cancelled, a signal included (the CLI waits up to 3 s). */
  readonly onCancellation?: FlowHook | readonly FlowHook[];
}
