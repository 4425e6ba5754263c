// The State of a flow or task run, as in Prefect: a `type` the engine reasons
// about (COMPLETED, FAILED...) and a `name` people read (Cached, TimedOut,
// NotReady...), with an optional message, the result and the error.

export const STATE_TYPES = [
  'SCHEDULED',
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'CRASHED',
  'PAUSED',
  'CANCELLING',
] as const;

export type StateType = (typeof STATE_TYPES)[number];

export type StateName =
  | 'Scheduled'
  | 'Pending'
  | 'Running'
  | 'Completed'
  | 'Cached'
  | 'Failed'
  | 'TimedOut'
  | 'Crashed'
  | 'Cancelled'
  | 'Cancelling'
  | 'Paused'
  | 'AwaitingRetry'
  | 'Retrying'
  | 'NotReady'
  | 'TriggerFailed';

export interface State<T = unknown> {
  readonly type: StateType;
  readonly name: StateName;
  readonly message?: string | undefined;
  /** Milliseconds since the epoch when the run entered this state. */
  readonly timestamp: number;
  /** The run's return value, on a COMPLETED state. */
  readonly data?: T | undefined;
  /** What the run threw, on FAILED and CRASHED states. */
  readonly error?: unknown;
}

export interface StateDetails<T = unknown> {
  readonly message?: string | undefined;
  readonly data?: T | undefined;
  readonly error?: unknown;
  readonly timestamp?: number | undefined;
}

const FINAL_TYPES: ReadonlySet<StateType> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

export const isFinal = (state: State): boolean => FINAL_TYPES.has(state.type);

/**
 * Whether a task run has had its last state: a final one, or NotReady (a
 * Pending state: the run never ran). Only the engine ends a run, and a run
 * cancelled from outside has ended even if its function has not returned:
 * its result is discarded.
 */
export const hasRunEnded = (state: State): boolean => isFinal(state) || state.name === 'NotReady';

const createState = <T>(type: StateType, name: StateName, details: StateDetails<T> = {}): State<T> => ({
  type,
  name,
  message: details.message,
  timestamp: details.timestamp ?? Date.now(),
  data: details.data,
  error: details.error,
});

// The factories are PascalCase callables, as in Prefect: `Completed()`, `Failed({ message })`.
export const Scheduled = <T = never>(details?: StateDetails<T>): State<T> => createState('SCHEDULED', 'Scheduled', details);
export const Pending = <T = never>(details?: StateDetails<T>): State<T> => createState('PENDING', 'Pending', details);
export const NotReady = <T = never>(details?: StateDetails<T>): State<T> => createState('PENDING', 'NotReady', details);
export const Running = <T = never>(details?: StateDetails<T>): State<T> => createState('RUNNING', 'Running', details);
export const Retrying = <T = never>(details?: StateDetails<T>): State<T> => createState('RUNNING', 'Retrying', details);
export const AwaitingRetry = <T = never>(details?: StateDetails<T>): State<T> =>
  createState('SCHEDULED', 'AwaitingRetry', details);
export const Completed = <T = unknown>(details?: StateDetails<T>): State<T> => createState('COMPLETED', 'Completed', details);
export const Cached = <T = unknown>(details?: StateDetails<T>): State<T> => createState('COMPLETED', 'Cached', details);
export const Failed = <T = never>(details?: StateDetails<T>): State<T> => createState('FAILED', 'Failed', details);
export const TimedOut = <T = never>(details?: StateDetails<T>): State<T> => createState('FAILED', 'TimedOut', details);
export const Crashed = <T = never>(details?: StateDetails<T>): State<T> => createState('CRASHED', 'Crashed', details);
export const Cancelled = <T = never>(details?: StateDetails<T>): State<T> => createState('CANCELLED', 'Cancelled', details);
export const Cancelling = <T = never>(details?: StateDetails<T>): State<T> =>
  createState('CANCELLING', 'Cancelling', details);
// Prefect 1: a task whose trigger did not hold, so it did not run.
export const TriggerFailed = <T = never>(details?: StateDetails<T>): State<T> => createState('FAILED', 'TriggerFailed', details);
export const Paused = <T = never>(details?: StateDetails<T>): State<T> => createState('PAUSED', 'Paused', details);
