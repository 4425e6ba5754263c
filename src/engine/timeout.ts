import { setMaxListeners } from 'node:events';

// Deadlines and aborts of flow and task runs. Every run has an AbortSignal:
// a flow run's is aborted by its timeout, a termination signal, the
// cancellation of its parent and its end; a task run's follows its flow
// run's, and a run with timeoutSeconds has one of its own that also aborts
// at its deadline. Code can honour the signal (getRunContext().signal); the
// engine never waits for it to: an aborted run ends on time, whatever its
// code does, and what that code does later is discarded.

export class RunTimeoutError extends Error {
  constructor(kind: 'Task' | 'Flow', seconds: number) {
    super(`${kind} run exceeded timeout of ${seconds} second(s)`);
  }
}
RunTimeoutError.prototype.name = 'TimeoutError';

/** Why a run's signal was aborted other than by its deadline: a termination signal, its parent, its end. */
export class RunAbortError extends Error {}
RunAbortError.prototype.name = 'AbortError';

const NOTHING_TO_UNDO = (): void => undefined;

/** A controller whose signal many runs may listen to at once (which is no leak). */
export const createRunController = (): AbortController => {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
};

/** Aborts `target` when `source` aborts; returns the function that stops following it. */
export const followAbort = (source: AbortSignal, target: AbortController): (() => void) => {
  if (source.aborted) {
    target.abort(source.reason);
    return NOTHING_TO_UNDO;
  }
  const onAbort = (): void => target.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
};

/** The text of an abort reason, for a state's message. */
export const describeAbortReason = (reason: unknown): string => (reason instanceof Error ? reason.message : String(reason));

export type Raced<T> =
  | { readonly kind: 'settled'; readonly value: T }
  /** Past the deadline, or aborted from outside: the work may still settle (`late`), and is ignored. */
  | { readonly kind: 'timed-out' | 'aborted'; readonly reason: unknown; readonly late: Promise<T> };

const ABORTED = Symbol('aborted');

/**
 * Runs `work` (which must not reject) until it settles or `controller` is
 * aborted: at `seconds`, by the deadline, or by whatever the controller
 * follows. The clock starts before the work does, and synchronous code
 * counts: if the work returns (or first yields) past its deadline, the timer
 * had no chance to fire, and the work has timed out all the same.
 */
export const raceAbort = async <T>(
  controller: AbortController,
  seconds: number | undefined,
  timeoutReason: () => Error,
  work: () => T | Promise<T>,
): Promise<Raced<T>> => {
  const { signal } = controller;
  const started = performance.now();
  let timedOut = false;
  const timeOut = (): void => {
    if (!signal.aborted) {
      timedOut = true;
      controller.abort(timeoutReason());
    }
  };
  const timer = seconds === undefined ? undefined : setTimeout(timeOut, seconds * 1000);
  let onAbort = NOTHING_TO_UNDO;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = Promise.resolve(work());
  try {
    const first = await Promise.race([running, aborted]);
    if (seconds !== undefined && performance.now() - started >= seconds * 1000) {
      timeOut();
    }
    if (first === ABORTED || signal.aborted) {
      return { kind: timedOut ? 'timed-out' : 'aborted', reason: signal.reason, late: running };
    }
    return { kind: 'settled', value: first };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
};
