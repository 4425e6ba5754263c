import { BroadcastChannel } from 'node:worker_threads';
import type { WorkerEvent } from './protocol.js';

// The main thread's end of the pool's event channel: it hands each event to
// the run it belongs to, counts them, and lets a call wait until it has all
// the events its reply announced (or, when a worker died without replying,
// until everything it sent has been handed over).

const MAX_WAIT_MS = 2_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface RunListener {
  readonly deliver: (event: WorkerEvent) => void;
  received: number;
  onEvent: (() => void) | undefined;
}

export interface RunInbox {
  /** Undefined once `count` events of the run have been delivered; else a promise of that moment. */
  waitForEvents(count: number): Promise<void> | undefined;
  /** Resolves once every event a dead worker sent has been delivered (it sends no count). */
  waitForQueued(): Promise<void>;
  close(): void;
}

// One per call, made for every task run: a class, so that opening an inbox
// allocates one object rather than a set of closures.
class OpenRunInbox implements RunInbox, RunListener {
  received = 0;
  onEvent: (() => void) | undefined = undefined;
  readonly #owner: EventInbox;
  readonly #callId: number;
  readonly deliver: (event: WorkerEvent) => void;

  constructor(owner: EventInbox, callId: number, deliver: (event: WorkerEvent) => void) {
    this.#owner = owner;
    this.#callId = callId;
    this.deliver = deliver;
  }

  waitForEvents(count: number): Promise<void> | undefined {
    return this.received >= count ? undefined : this.#owner.waitUntil(this, () => this.received >= count);
  }

  // A worker's postMessage puts the event in this thread's queue at once, so
  // by the time its death is known everything it sent is queued; the queue
  // is drained in the event loop's poll phase. Two turns of the loop make
  // sure one poll phase has passed, and the wait goes on while events of
  // this run still arrive. (Waiting for a quiet moment by the clock lost the
  // last lines when this thread was starved: the clock ran, the queue did not.)
  async waitForQueued(): Promise<void> {
    const started = Date.now();
    let before: number;
    do {
      before = this.received;
      await nextTurn();
      await nextTurn();
    } while (this.received !== before && Date.now() - started < MAX_WAIT_MS);
  }

  close(): void {
    this.#owner.forget(this.#callId);
  }
}

export class EventInbox {
  readonly name: string;
  readonly #channel: BroadcastChannel;
  readonly #runs = new Map<number, RunListener>();

  constructor(name: string) {
    this.name = name;
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (message: unknown) => this.#dispatch((message as { data: WorkerEvent }).data);
  }

  open(callId: number, deliver: (event: WorkerEvent) => void): RunInbox {
    const inbox = new OpenRunInbox(this, callId, deliver);
    this.#runs.set(callId, inbox);
    return inbox;
  }

  forget(callId: number): void {
    this.#runs.delete(callId);
  }

  close(): void {
    this.#channel.close();
  }

  #dispatch(event: WorkerEvent): void {
    const listener = this.#runs.get(event.callId);
    if (listener === undefined) {
      return;
    }
    listener.received += 1;
    listener.deliver(event);
    listener.onEvent?.();
  }

  // Polls `done` on each event and every 50 ms, for at most MAX_WAIT_MS, so
  // that a lost event can delay an outcome but never hang the run.
  waitUntil(listener: RunListener, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const started = Date.now();
      const check = (): void => {
        if (done() || Date.now() - started >= MAX_WAIT_MS) {
          clearInterval(timer);
          listener.onEvent = undefined;
          resolve();
        }
      };
      const timer = setInterval(check, 50);
      listener.onEvent = check;
    });
  }
}
