import type { State } from '../states/state.js';
import { BaseTaskRunner } from './base-runner.js';
import type { TaskRunJob } from './task-runner.js';

/**
 * Runs submitted task runs one at a time, in submission order: each starts
 * once the one before it is final, as Prefect's SequentialTaskRunner does.
 */
export class SequentialTaskRunner extends BaseTaskRunner {
  readonly name = 'SequentialTaskRunner';
  readonly concurrency = 'sequentially';
  #tail: Promise<unknown> = Promise.resolve();

  protected execute(job: TaskRunJob): Promise<State> {
    if (job.nested) {
      // The task that submitted it holds the queue; queueing would deadlock.
      job.announce(true);
      return job.run();
    }
    // Direct calls queue too, so `a.submit(); await b()` runs a, then b. The
    // `Executing ... immediately...` line is printed when the run really
    // starts, so a sequential run's lines read in the order things happened.
    const result = this.#tail.then(() => {
      job.announce(true);
      return job.run();
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  duplicate(): SequentialTaskRunner {
    return new SequentialTaskRunner();
  }
}
