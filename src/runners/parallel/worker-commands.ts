import { killProcessGroup, trackProcessGroup } from '../../shell/process-registry.js';

// The shell commands a task run on a worker started (their process groups),
// tracked in this thread too: a worker terminated at the run's deadline, or
// when its flow run is stopped, cannot end them itself. Made only for the
// calls that start a command; it listens to the run's signal only while one
// is alive.
export class WorkerCommands {
  readonly #signal: AbortSignal;
  readonly #groups = new Map<number, () => void>();
  readonly #endAll = (): void => {
    for (const [pid, untrack] of this.#groups) {
      killProcessGroup(pid, 'SIGKILL');
      untrack();
    }
    this.#groups.clear();
  };

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  /** A command's process group started (alive) or ended. */
  update(pid: number, alive: boolean): void {
    if (alive) {
      if (this.#groups.size === 0) {
        this.#signal.addEventListener('abort', this.#endAll, { once: true });
      }
      this.#groups.set(pid, trackProcessGroup(pid));
      return;
    }
    this.#groups.get(pid)?.();
    this.#groups.delete(pid);
    if (this.#groups.size === 0) {
      this.#signal.removeEventListener('abort', this.#endAll);
    }
  }

  /** The call is over: its commands are its worker's business again. */
  close(): void {
    this.#signal.removeEventListener('abort', this.#endAll);
  }
}
