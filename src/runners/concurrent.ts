import type { State } from '../states/state.js';
import { BaseTaskRunner } from './base-runner.js';
import type { TaskRunJob } from './task-runner.js';

/**
 * Starts every submitted task run at once on the event loop (the default):
 * async work overlaps, synchronous code still runs one piece at a time.
 */
export class ConcurrentTaskRunner extends BaseTaskRunner {
  readonly name = 'ConcurrentTaskRunner';
  readonly concurrency = 'concurrently';

  protected execute(job: TaskRunJob): Promise<State> {
    job.announce(job.direct);
    return job.run();
  }

  duplicate(): ConcurrentTaskRunner {
    return new ConcurrentTaskRunner();
  }
}
