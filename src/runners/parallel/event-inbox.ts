import { BroadcastChannel } from 'node:worker_threads';
import type { WorkerEvent } from './protocol.js';

// The main thread's end of the pool's event channel: it hands each event to
// the run it belongs to, counts them, and lets a call wait until it has all
// the events its reply announced (or, when a worker died without replying,
// until the channel has been quiet for a moment).

const QUIET_MS = 25;
const MAX_WAIT_MS = 2_000;

interface RunListener {
  readonly deliver: (event: WorkerEvent) => void;
  received: number;
  lastEventAt: number;
  onEvent: (() => void) | undefined;
}

export interface RunInbox {
  /** Resolves once `count` events of the run have been delivered. */
  waitForEvents(count: number): Promise<void>;
  /** Resolves once no event of the pool has come for a moment (a dead worker sends no count). */
  waitForQuiet(): Promise<void>;
  close(): void;
}

export class EventInbox {
  readonly name: string;
  readonly #channel: BroadcastChannel;
  readonly #runs = new Map<string, RunListener>();
  #lastEventAt = 0;

  constructor(name: string) {
    this.name = name;
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (message: unknown) => this.#dispatch((message as { data: WorkerEvent }).data);
  }

  open(runId: string, deliver: (event: WorkerEvent) => void): RunInbox {
    const listener: RunListener = { deliver, received: 0, lastEventAt: 0, onEvent: undefined };
    this.#runs.set(runId, listener);
    return {
      waitForEvents: (count) => this.#waitUntil(listener, () => listener.received >= count),
      waitForQuiet: () => this.#waitUntil(listener, () => Date.now() - this.#lastEventAt >= QUIET_MS, QUIET_MS),
      close: () => this.#runs.delete(runId),
    };
  }

  close(): void {
    this.#channel.close();
  }

  #dispatch(event: WorkerEvent): void {
    this.#lastEventAt = Date.now();
    const listener = this.#runs.get(event.runId);
    if (listener === undefined) {
      return;
    }
    listener.received += 1;
    listener.deliver(event);
    listener.onEvent?.();
  }

  // Polls `done` on each event and every `pollMs`, for at most MAX_WAIT_MS,
  // so that a lost event can delay an outcome but never hang the run.
  #waitUntil(listener: RunListener, done: () => boolean, pollMs?: number): Promise<void> {
    if (pollMs === undefined && done()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const started = Date.now();
      const check = (): void => {
        if (done() || Date.now() - started >= MAX_WAIT_MS) {
          clearInterval(timer);
          listener.onEvent = undefined;
          resolve();
        }
      };
      const timer = setInterval(check, pollMs ?? 50);
      listener.onEvent = check;
    });
  }
}
