import type { Redis } from 'ioredis';
import { parseLineEntry, type LineEntry } from './job-protocol.js';

// The flow run's end of the stream its task runs' lines travel on (keys.ts
// linesStreamKey): a loop of blocking XREADs on a connection of its own,
// handing each line on in the order the workers wrote them, until stopped.

/** How long one XREAD blocks: the most a stop waits for the loop to see it. */
const BLOCK_MS = 1_000;
/** After a failed read (a connection being re-made), the next waits this long. */
const RETRY_MS = 200;

export class LinesReader {
  readonly #reader: Redis;
  readonly #key: string;
  readonly #deliver: (entry: LineEntry) => void;
  #reading = true;

  constructor(reader: Redis, key: string, deliver: (entry: LineEntry) => void) {
    this.#reader = reader;
    this.#key = key;
    this.#deliver = deliver;
    void this.#read();
  }

  /** Ends the loop and its connection. */
  stop(): void {
    this.#reading = false;
    this.#reader.disconnect();
  }

  async #read(): Promise<void> {
    let lastId = '0-0';
    while (this.#reading) {
      let streams: [string, [string, string[]][]][] | null;
      try {
        streams = (await this.#reader.xread('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', this.#key, lastId));
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      for (const [, entries] of streams ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          const entry = parseLineEntry(fields);
          if (entry !== undefined && this.#reading) {
            this.#deliver(entry);
          }
        }
      }
    }
  }
}
