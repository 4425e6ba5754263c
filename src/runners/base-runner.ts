import type { State } from '../states/state.js';
import { RunnerNotStartedError, type TaskRunJob, type TaskRunner } from './task-runner.js';

// The started/stopped bookkeeping every runner shares.
export abstract class BaseTaskRunner implements TaskRunner {
  abstract readonly name: string;
  abstract readonly concurrency: TaskRunner['concurrency'];
  #started = false;

  async start(_signal?: AbortSignal): Promise<void> {
    this.#started = true;
  }

  submit(job: TaskRunJob): Promise<State> {
    if (!this.#started) {
      return Promise.reject(new RunnerNotStartedError(this.name));
    }
    return this.execute(job);
  }

  async shutdown(): Promise<void> {
    this.#started = false;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  protected abstract execute(job: TaskRunJob): Promise<State>;

  abstract duplicate(): TaskRunner;
}
