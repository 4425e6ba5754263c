// A task that fails twice before it succeeds, retried with growing delays:
// watch the retry lines, then Completed. Its count is kept in a file under
// the store, so each attempt sees the last one's.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exponentialBackoff, flow, task } from 'flowrun';

const COUNTER = join('.flow', 'retries-example-count');

export const flakyFetch = task(
  { name: 'flaky_fetch', retries: 3, retryDelaySeconds: exponentialBackoff(0.2) },
  () => {
    const attempt = Number(existsSync(COUNTER) ? readFileSync(COUNTER, 'utf8') : '0') + 1;
    writeFileSync(COUNTER, String(attempt));
    if (attempt < 3) {
      throw new Error(`attempt ${attempt} failed`);
    }
    return `fetched on attempt ${attempt}`;
  },
);

export default flow({ name: 'retries' }, async () => {
  mkdirSync('.flow', { recursive: true });
  rmSync(COUNTER, { force: true });
  console.log(await flakyFetch());
});
