import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { exponentialBackoff, formatRetryMessage, getRetryDelay, reprException, validateRetryDelaySeconds } from '../../../src/engine/retry.js';

describe('retry delays', () => {
  const noJitter = (): number => 0;

  it('uses a number for every retry, and a list whose last value repeats', () => {
    assert.equal(getRetryDelay(2, 3, 0, undefined, noJitter), 2);
    assert.equal(getRetryDelay(2, 3, 2, undefined, noJitter), 2);
    assert.deepEqual([0, 1, 2, 3].map((retry) => getRetryDelay([1, 5], 4, retry, undefined, noJitter)), [1, 5, 5, 5]);
    assert.equal(getRetryDelay(undefined, 3, 1, undefined, noJitter), 0);
  });

  it('doubles with exponentialBackoff, as Prefect does', () => {
    assert.deepEqual(exponentialBackoff(10)(4), [10, 20, 40, 80]);
    assert.deepEqual([0, 1, 2].map((retry) => getRetryDelay(exponentialBackoff(1), 3, retry, undefined, noJitter)), [1, 2, 4]);
  });

  it('adds up to retryJitterFactor times the delay, from the random source', () => {
    assert.equal(getRetryDelay(10, 1, 0, 0.5, () => 0), 10);
    assert.equal(getRetryDelay(10, 1, 0, 0.5, () => 0.5), 12.5);
    assert.ok(getRetryDelay(10, 1, 0, 0.5, () => 0.999) < 15);
    assert.equal(getRetryDelay(0, 1, 0, 0.5, () => 0.9), 0);
  });

  it('refuses a schedule that is not delays, naming the task', () => {
    for (const bad of [-1, [], [1, -2], 'soon', Array.from({ length: 51 }, () => 1)]) {
      assert.throws(() => validateRetryDelaySeconds('fetch', bad), (error: unknown) => error instanceof UsageError && /task 'fetch': option 'retryDelaySeconds'/.test(error.message));
    }
    assert.doesNotThrow(() => validateRetryDelaySeconds('fetch', [0, 1.5]));
    assert.doesNotThrow(() => validateRetryDelaySeconds('fetch', exponentialBackoff(2)));
  });
});

describe('the retry line', () => {
  it("reads as Prefect's, with the exception's repr and the delay", () => {
    assert.equal(
      formatRetryMessage(new Error('attempt 1 failed'), 0, 2, 0.1),
      "Task run failed with exception: Error('attempt 1 failed') - Retry 1/2 will start 0.1 second(s) from now",
    );
    assert.equal(formatRetryMessage(new TypeError("it's gone"), 1, 3, 0), `Task run failed with exception: TypeError("it's gone") - Retry 2/3 will start immediately`);
    assert.equal(formatRetryMessage(new Error('x'), 0, 1, 1.23456), "Task run failed with exception: Error('x') - Retry 1/1 will start 1.235 second(s) from now");
    assert.equal(reprException('plain text'), "'plain text'");
  });
});
