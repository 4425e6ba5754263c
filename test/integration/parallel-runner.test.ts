import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flow, ParallelTaskRunner, task } from '../../src/index.js';
import { ConsoleReporter } from '../../src/logging/console-reporter.js';
import { LOG_LEVELS } from '../../src/logging/levels.js';
import { PLAIN_STYLES } from '../../src/logging/styles.js';
import { createTestRuntime, MemoryReporter } from '../helpers/memory-reporter.js';
import {
  acceptAnything,
  allocateForever,
  burn,
  exitWorker,
  makeFunction,
  makePoint,
  printThenThrow,
  sendBack,
  spinForever,
  throwFromCallback,
} from '../fixtures/parallel-tasks.js';

// What only the parallel runner does: real worker threads, crashes that stay
// inside their worker, hard timeouts, and only data across the boundary.

const runParallel = async (body: () => unknown, options: { workers?: number; memoryLimitMb?: number } = {}) => {
  const reporter = new MemoryReporter();
  const definition = flow({ name: 'parallel' }, async () => body());
  const outcome = await definition.execute({}, { runner: new ParallelTaskRunner({ workers: 2, ...options }), runtime: createTestRuntime(reporter) });
  return { ...outcome, reporter };
};

const finalLine = (reporter: MemoryReporter, taskName: string): string | undefined =>
  reporter.messages.find((line) => line.startsWith(`Task run '${taskName}-`) && line.includes('Finished in state'));

describe('ParallelTaskRunner', () => {
  it('runs CPU-bound tasks at the same time on two workers', async () => {
    let spans: { label: string; start: number; end: number }[] = [];
    await runParallel(async () => {
      spans = await Promise.all([burn.submit('a', 400), burn.submit('b', 400)]);
    });
    const [a, b] = spans;
    assert.ok(a && b && a.start < b.end && b.start < a.end, `the runs did not overlap: ${JSON.stringify(spans)}`);
  });

  it('ends a task that calls process.exit() Crashed, replaces its worker, and goes on', async () => {
    let after: unknown;
    const { reporter, state } = await runParallel(async () => {
      await exitWorker.submit(3).then(undefined, () => undefined);
      after = await Promise.all([burn.submit('x', 10), burn.submit('y', 10)]);
    });
    assert.equal((after as unknown[]).length, 2);
    const lines = reporter.messages;
    assert.match(finalLine(reporter, 'exit_worker') ?? '', /Finished in state Crashed\("The worker thread running task .exit_worker. exited with code 3/);
    assert.ok(lines.some((line) => /Crash detected! The worker thread running task 'exit_worker' exited with code 3/.test(line)), lines.join('\n'));
    assert.equal(state.type, 'FAILED');
    assert.equal(state.message, '1/3 states failed.');
  });

  it('ends a task whose callback throws Crashed with the reason', async () => {
    const { reporter } = await runParallel(async () => {
      await throwFromCallback.submit().then(undefined, () => undefined);
    });
    assert.match(finalLine(reporter, 'throw_from_callback') ?? '', /Crashed\("The worker thread running task .throw_from_callback. died: Error: thrown from a timer/);
  });

  it('ends a task that passes the memory limit Crashed', async () => {
    const { reporter } = await runParallel(
      async () => {
        await allocateForever.submit().then(undefined, () => undefined);
      },
      { workers: 1, memoryLimitMb: 32 },
    );
    assert.match(finalLine(reporter, 'allocate_forever') ?? '', /Crashed\("The worker thread running task .allocate_forever. ran out of memory/);
  });

  // The loop never ends and there is one worker: the task after it runs only
  // if that worker was terminated at the deadline and replaced. A runner that
  // waited for the loop would hang, and the timeout of this test (a guard,
  // far past the deadline) fails it instead.
  it('stops a task stuck in a synchronous loop at its timeout: TimedOut, by terminating its worker', { timeout: 60_000 }, async () => {
    let after: unknown;
    const { reporter } = await runParallel(
      async () => {
        await spinForever.submit().wait();
        after = await burn.submit('after', 50);
      },
      { workers: 1 },
    );
    assert.equal((after as { label: string } | undefined)?.label, 'after', reporter.messages.join('\n'));
    const lines = reporter.messages;
    assert.ok(lines.some((line) => /^Task run 'spin_forever-[0-9a-f]{8}-0' - Task run exceeded timeout of 0\.5 second\(s\)$/.test(line)), lines.join('\n'));
    assert.match(finalLine(reporter, 'spin_forever') ?? '', /Finished in state TimedOut\('Task run exceeded timeout of 0\.5 second\(s\)', type=FAILED\)$/);
  });

  it('refuses arguments and results that cannot cross to a worker, naming the task, the value and the fix', async () => {
    const { reporter } = await runParallel(async () => {
      await Promise.all([
        acceptAnything.submit(() => 1).wait(),
        acceptAnything.submit({ nested: [new Map([['k', Symbol('s')]])] }).wait(),
        makePoint.submit().wait(),
        makeFunction.submit().wait(),
      ]);
    });
    const crashes = reporter.messages.filter((line) => line.includes('Finished in state Crashed'));
    assert.equal(crashes.length, 4, reporter.messages.join('\n'));
    const text = crashes.join('\n');
    assert.match(text, /Cannot send the arguments of task 'accept_anything' to a worker thread: argument 1 is a function\. Pass plain data/);
    assert.match(text, /argument 1\.nested\[0\]\.get\(k\) is a symbol/);
    assert.match(text, /Cannot send the result of task 'make_point' back from its worker thread: the result is an instance of Point, which would arrive without its class and methods\. Return plain data, or run this flow with --runner concurrent\./);
    assert.match(text, /the result is a function/);
  });

  it('sends plain data both ways intact: nested objects, Maps, Sets, Dates, typed arrays', async () => {
    const value = { list: [1, 'two', null], map: new Map([['a', 1]]), set: new Set([1, 2]), when: new Date(0), bytes: new Uint8Array([1, 2]) };
    let returned: unknown;
    await runParallel(async () => {
      returned = await sendBack.submit(value);
    });
    assert.deepEqual(returned, value);
  });

  it('brings back what a task logged before it threw, in order, under its run name', async () => {
    const { reporter } = await runParallel(async () => {
      await printThenThrow.submit(3).then(undefined, () => undefined);
    });
    const own = reporter.messages.filter((line) => line.startsWith("Task run 'print_then_throw-"));
    assert.match(own[0] ?? '', / - logged before the error$/);
    assert.match(own[1] ?? '', / - Encountered exception during execution:\nError: after printing\n/);
    assert.match(own[2] ?? '', /Finished in state Failed\('Task run encountered an exception Error: after printing'\)$/);
  });

  it('runs a task defined inside the flow in the main thread, with one warning naming it', async () => {
    const { reporter, state } = await runParallel(async () => {
      const local = task('local_task', (x: number) => x * 2);
      await Promise.all([local.submit(1), local.submit(2)]);
    });
    const warnings = reporter.messages.filter((line) => line.includes('cannot run on a worker thread'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /Task 'local_task' cannot run on a worker thread: it was defined inside a flow or task run.*define it with task\(\) at the top level of a module\.$/);
    assert.equal((state).type, 'COMPLETED');
  });

  it('rejects a worker count that is not a positive integer', () => {
    assert.throws(() => new ParallelTaskRunner({ workers: 0 }), /'workers' must be a positive integer, got 0/);
    assert.throws(() => new ParallelTaskRunner({ workers: 1.5 }), /got 1\.5/);
  });
});

describe('ParallelTaskRunner and the spinner', () => {
  it('counts as running only the runs a worker has taken, not those its pool holds for later', async () => {
    const reporter = new ConsoleReporter({ stream: { write: () => true }, level: LOG_LEVELS.INFO, styles: PLAIN_STYLES });
    const runtime = { reporter, now: Date.now, random: Math.random };
    const counted: number[] = [];
    const definition = flow({ name: 'ten-on-two' }, async () => {
      const runs = Array.from({ length: 10 }, (_, index) => burn.submit(String(index), 150));
      // Sampled while they run, two at a time, on the two workers.
      const sampling = setInterval(() => counted.push(Number(/(\d+) running/.exec(reporter.describeCounts())?.[1])), 20);
      await Promise.all(runs);
      clearInterval(sampling);
    });
    await definition.execute({}, { runner: new ParallelTaskRunner({ workers: 2 }), runtime });
    assert.ok(Math.max(...counted) <= 2, `counted ${Math.max(...counted)} running on two workers: ${counted.join(' ')}`);
    assert.ok(counted.includes(2), `never counted both workers busy: ${counted.join(' ')}`);
  });
});
