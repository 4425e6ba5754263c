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
