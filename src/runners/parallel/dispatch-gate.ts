import type { TaskInvoker } from '../../engine/invocation.js';
import type { State } from '../../states/state.js';
import type { TaskRunJob } from '../task-runner.js';

// How many task runs the parallel runner starts at once. A flow may submit a
// hundred thousand in one go; started together, each would hold its states,
// its call and piscina's bookkeeping until a worker took it, and the main
// thread a gigabyte. Enough runs to keep every worker busy are started; the
// others wait here, as a resolver each, in submission order.

export class DispatchGate {
  readonly limit: number;
  #open = 0;
  // A queue with a moving head: shift() on a long array costs its length.
  #waiting: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Calls waiting for a place. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Undefined when a place is free at once; else a promise of one. */
  enter(): Promise<void> | undefined {
    if (this.#open < this.limit) {
      this.#open += 1;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Gives the place to the next waiting call, if any. */
  leave(): void {
    const next = this.#waiting[this.#head];
    if (next === undefined) {
      this.#open -= 1;
      return;
    }
    this.#head += 1;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    }
    next();
  }
}

/**
 * A runner's execute() through a gate: the run is announced at once and
 * started once a place is free; until then it stays Pending, holding little
 * more than its job. A run submitted from inside a task run of this thread
 * starts at once: its caller may hold a place while it waits for it.
 */
export const executeThroughGate = (gate: DispatchGate, job: TaskRunJob, invoke: TaskInvoker): Promise<State> => {
  job.announce(job.direct);
  if (job.nested) {
    return job.run(invoke);
  }
  const start = (): Promise<State> => job.run(invoke).finally(() => gate.leave());
  const waiting = gate.enter();
  return waiting === undefined ? start() : waiting.then(start);
};
