import type { Redis } from 'ioredis';
import { lineEntryFields } from './job-protocol.js';
import { sentResultsKey } from './keys.js';

// A worker's results of one job's runs, on their way back. A job of one
// run, or of trivial runs that all end at once, returns them with the job;
// a longer job sends each on the lines stream soon after its run ends (a
// few to a round trip), so that the flow run goes on without waiting for
// the whole job, and records their keys, so that a worker that takes the
// job after this one is lost runs only the others.

/** A result waits at most this long for others to go with it. */
const SEND_AFTER_MS = 20;
/** The record of sent results outlives the job (kept an hour) no longer than it. */
const SENT_RECORD_SECONDS = 3_600;

export class JobResults {
  readonly #client: Redis;
  readonly #queue: string;
  readonly #jobId: string;
  readonly #linesKey: string;
  #unsent: [string, string][] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();

  constructor(client: Redis, queue: string, jobId: string, linesKey: string) {
    this.#client = client;
    this.#queue = queue;
    this.#jobId = jobId;
    this.#linesKey = linesKey;
  }

  /** The keys of the job's runs whose results an earlier worker sent. */
  static async sentBefore(client: Redis, queue: string, jobId: string): Promise<Set<string>> {
    return new Set(await client.smembers(sentResultsKey(queue, jobId)));
  }

  /** A run's reply, encoded (after every line the run sent). */
  add(key: string, reply: string): void {
    this.#unsent.push([key, reply]);
    this.#timer ??= setTimeout(() => this.#send(), SEND_AFTER_MS);
  }

  /** The results not sent yet, for the job's own result, once those on their way have gone. */
  async finish(): Promise<[string, string][]> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sending;
    return this.#unsent.splice(0);
  }

  #send(): void {
    this.#timer = undefined;
    const results = this.#unsent.splice(0);
    if (results.length === 0) {
      return;
    }
    this.#sending = this.#sending.then(async () => {
      const sentKey = sentResultsKey(this.#queue, this.#jobId);
      const commands = this.#client.multi();
      for (const [key, text] of results) {
        commands.xadd(this.#linesKey, '*', ...lineEntryFields({ job: key, kind: 'result', level: 0, time: Date.now(), text, bytes: false }));
      }
      commands.sadd(sentKey, ...results.map(([key]) => key));
      commands.expire(sentKey, SENT_RECORD_SECONDS);
      try {
        await commands.exec();
      } catch {
        // Not sent: they go with the job's result.
        this.#unsent.unshift(...results);
      }
    });
  }
}
