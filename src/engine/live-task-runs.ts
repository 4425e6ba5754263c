import { hasRunEnded } from '../states/state.js';
import type { TaskRun } from './runs.js';

// The task runs of a flow run that have not ended, for what ends them from
// outside (a signal, the flow's timeout). An array, pruned each time it
// doubles, rather than a Set: a flow may start a hundred thousand runs at
// once, and hashing each into a Set and out again showed in W1. A run's own
// state tells whether it has ended: only finishTaskRun gives it a last state.
export class LiveTaskRuns {
  #runs: TaskRun[] = [];
  #pruneAt = 1024;

  add(run: TaskRun): void {
    this.#runs.push(run);
    if (this.#runs.length >= this.#pruneAt) {
      this.#prune();
      this.#pruneAt = Math.max(1024, this.#runs.length * 2);
    }
  }

  /** The runs that have not ended, oldest first. */
  list(): TaskRun[] {
    this.#prune();
    return [...this.#runs];
  }

  #prune(): void {
    this.#runs = this.#runs.filter((run) => !hasRunEnded(run.state));
  }
}
