// Tag concurrency limits (`concurrencyLimits: { db: 2 }` in the config file):
// at most that many task runs tagged `db` run at once across a flow run and
// its subflows, on any runner. A run takes a slot of each limited tag before
// each attempt and gives them back after it.

class Slots {
  readonly limit: number;
  #used = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get full(): boolean {
    return this.#used >= this.limit;
  }

  async acquire(): Promise<void> {
    if (this.#used < this.limit) {
      this.#used += 1;
      return;
    }
    // The slot is handed over by release(), so #used stays at the limit.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#used -= 1;
    } else {
      next();
    }
  }
}

/** Where a run takes the slots of its limited tags: this process (ConcurrencyLimits), or a store its runner shares with others (the distributed runner's Redis). */
export interface TagLimits {
  /**
   * Takes a slot of every limited tag, in one fixed order (so two runs with
   * the same tags cannot each hold what the other waits for), and returns the
   * function that gives them back. `onWait` is told of each tag it waits for.
   */
  acquire(tags: readonly string[], onWait: (tag: string, limit: number) => void): Promise<() => void>;
}

export class ConcurrencyLimits implements TagLimits {
  readonly #slots = new Map<string, Slots>();

  constructor(limits: Readonly<Record<string, number>>) {
    for (const [tag, limit] of Object.entries(limits)) {
      this.#slots.set(tag, new Slots(limit));
    }
  }

  /**
   * Takes a slot of every limited tag, in one fixed order (so two runs with
   * the same tags cannot each hold what the other waits for), and returns the
   * function that gives them back. `onWait` is told of each tag it waits for.
   */
  async acquire(tags: readonly string[], onWait: (tag: string, limit: number) => void): Promise<() => void> {
    const held: Slots[] = [];
    for (const tag of [...new Set(tags)].sort()) {
      const slots = this.#slots.get(tag);
      if (slots === undefined) {
        continue;
      }
      if (slots.full) {
        onWait(tag, slots.limit);
      }
      await slots.acquire();
      held.push(slots);
    }
    return () => {
      for (const slots of held) {
        slots.release();
      }
    };
  }
}
