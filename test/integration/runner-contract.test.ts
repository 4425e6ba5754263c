import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  allowFailure,
  asCompleted,
  ConcurrentTaskRunner,
  DistributedTaskRunner,
  flow,
  ParallelTaskRunner,
  SequentialTaskRunner,
  ShellCommandError,
  unmapped,
  wait,
  type TaskRunner,
} from '../../src/index.js';
import { formatMessage } from '../../src/logging/console-format.js';
import { LOG_LEVELS } from '../../src/logging/levels.js';
import { formatState } from '../../src/states/format.js';
import { PLAIN_STYLES } from '../../src/logging/styles.js';
import { createTestRuntime, MemoryReporter } from '../helpers/memory-reporter.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startFlowWorker, type FlowWorker } from '../helpers/flow-worker.js';
import { redisMissing, startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { REPO_ROOT } from '../helpers/run-cli.js';
import {
  addOne,
  announceRun,
  awaitsAbort,
  busyPastTimeout,
  busyThenAwait,
  lateSubmitter,
  boom,
  byFunction,
  fetchPage,
  cachedSquare,
  unpersistable,
  describeInput,
  failsTimes,
  hookCalls,
  hooked,
  outerCall,
  outerSubmit,
  describePair,
  logSomething,
  printSomething,
  countLines,
  failingCommand,
  sleepyCommand,
  shellPipeline,
  queryDatabase,
  reportUpstreams,
  sleepThenReturn,
  slowPastTimeout,
  stopsWhenAborted,
  sum,
  timedSleep,
  throwKind,
} from '../fixtures/contract-tasks.js';

// One contract, every runner: what a flow author can rely on whichever
// runner runs the tasks. Runner-specific behaviour (ordering, overlap) is
// declared in the table below, not special-cased in the tests.

interface RunnerCase {
  readonly name: string;
  readonly create: () => TaskRunner;
  /** Submitted async tasks overlap in time. */
  readonly overlaps: boolean;
  /** The word of the submission line. */
  readonly submittedWord: 'Executing' | 'Submitted';
  /** A task may .submit() other tasks (not on a worker thread, which has no flow run). */
  readonly nestedSubmit: boolean;
  /**
   * A task's code sees its run's signal aborted when its flow run is
   * stopped. On a worker thread the worker is terminated instead.
   */
  readonly signalReachesCode: boolean;
  /** Why the runner cannot be tried here (a service it needs is missing). */
  readonly skip?: string | undefined;
  /** What the runner needs running around the suite. */
  readonly setUp?: () => Promise<void>;
  readonly tearDown?: () => Promise<void>;
}

// The distributed runner's case: a redis-server and a `flow worker` of the
// suite's own, the worker in this repository, where it finds the tasks'
// module (test/fixtures/contract-tasks.ts) at the path the suite does.
let distributed: { redis: PrivateRedis; worker: FlowWorker | undefined; cleanups: (() => void)[] } | undefined;

const RUNNERS: readonly RunnerCase[] = [
  { name: 'sequential', create: () => new SequentialTaskRunner(), overlaps: false, submittedWord: 'Executing', nestedSubmit: true, signalReachesCode: true },
  { name: 'concurrent', create: () => new ConcurrentTaskRunner(), overlaps: true, submittedWord: 'Submitted', nestedSubmit: true, signalReachesCode: true },
  {
    name: 'parallel (2 workers)',
    create: () => new ParallelTaskRunner({ workers: 2 }),
    overlaps: true,
    submittedWord: 'Submitted',
    nestedSubmit: false,
    signalReachesCode: false,
  },
  {
    name: 'distributed (a flow worker, 2 threads)',
    create: () => new DistributedTaskRunner({ redis: distributed?.redis.url ?? 'redis://127.0.0.1:1', queue: 'contract' }),
    overlaps: true,
    submittedWord: 'Submitted',
    nestedSubmit: false,
    signalReachesCode: false,
    skip: redisMissing(),
    setUp: async () => {
      const redis = await startRedis();
      const cleanups: (() => void)[] = [];
      distributed = { redis, worker: undefined, cleanups };
      distributed.worker = await startFlowWorker({ after: (fn) => cleanups.push(fn) }, REPO_ROOT, ['--redis', redis.url, '--queue', 'contract', '--concurrency', '2']);
    },
    tearDown: async () => {
      await distributed?.worker?.stop('SIGKILL');
      distributed?.cleanups.forEach((cleanup) => cleanup());
      await distributed?.redis.stop();
    },
  },
];

const run = async (runner: TaskRunner, body: () => unknown, reporter = new MemoryReporter()) => {
  const runtime = createTestRuntime(reporter);
  const definition = flow({ name: 'contract' }, async () => body());
  const outcome = await definition.execute({}, { runner, runtime });
  return { ...outcome, reporter };
};

for (const runnerCase of RUNNERS) {
  describe(`runner contract: ${runnerCase.name}`, { skip: runnerCase.skip }, () => {
    if (runnerCase.setUp !== undefined) {
      before(runnerCase.setUp);
    }
    if (runnerCase.tearDown !== undefined) {
      after(runnerCase.tearDown);
    }
    it('runs submitted tasks and gives their results through futures', async () => {
      let results: number[] = [];
      const { state } = await run(runnerCase.create(), async () => {
        const futures = [addOne.submit(1), addOne.submit(2), addOne.submit(3)];
        results = await Promise.all(futures);
      });
      assert.deepEqual(results, [2, 3, 4]);
      assert.equal(state.type, 'COMPLETED');
      assert.equal(state.message, 'All states completed.');
    });

    it('resolves futures inside arrays and plain objects first and records them as upstreams', async () => {
      let total: number | undefined;
      let described: string | undefined;
      let upstreams: string[] = [];
      let expectedUpstreams: string[] = [];
      await run(runnerCase.create(), async () => {
        const a = addOne.submit(1);
        const b = addOne.submit(10);
        total = await sum.submit([a, b, 100]);
        described = await describePair.submit({ left: a, right: b });
        upstreams = await reportUpstreams.submit({ nested: [a, { deeper: b }], plain: 1 });
        expectedUpstreams = [a.taskRun.id, b.taskRun.id];
      });
      assert.equal(total, 113);
      assert.equal(described, '2+11');
      assert.deepEqual(upstreams, expectedUpstreams);
    });

    it('never runs a task whose upstream failed: it ends NotReady naming the upstream', async () => {
      const { state, reporter } = await run(runnerCase.create(), async () => {
        const failed = boom.submit('disk on fire');
        announceRun.submit(failed);
      });
      const lines = reporter.messages;
      assert.ok(!lines.some((line) => line.includes('announce_run ran')), lines.join('\n'));
      const boomName = lines.find((line) => line.startsWith("Task run 'boom-"))?.match(/'(boom-[0-9a-f]{8}-0)'/)?.[1];
      assert.ok(boomName, lines.join('\n'));
      assert.ok(
        lines.some((line) =>
          line.endsWith(`Finished in state NotReady("Upstream task run '${boomName}' did not reach a 'COMPLETED' state.", type=PENDING)`),
        ),
        lines.join('\n'),
      );
      assert.equal(state.type, 'FAILED');
      assert.equal(state.message, '1/2 states failed.');
    });

    it('fails a task that throws, with the error logged and thrown from its future', async () => {
      let caught: unknown;
      const { reporter, state } = await run(runnerCase.create(), async () => {
        try {
          await boom.submit('disk on fire');
        } catch (error) {
          caught = error;
        }
      });
      assert.ok(caught instanceof Error);
      assert.equal(caught.message, 'disk on fire');
      const lines = reporter.messages;
      assert.ok(lines.some((line) => /^Task run 'boom-[0-9a-f]{8}-0' - Encountered exception during execution:\nError: disk on fire\n/.test(line)));
      assert.ok(lines.some((line) => line.endsWith("Finished in state Failed('Task run encountered an exception Error: disk on fire')")));
      assert.equal(state.message, '1/1 states failed.');
    });

    it('waits for every future it submitted, even those never awaited', async () => {
      let future: PromiseLike<string> | undefined;
      const { state } = await run(runnerCase.create(), () => {
        future = sleepThenReturn.submit(30, 'late');
      });
      assert.equal(state.type, 'COMPLETED');
      assert.equal((future as unknown as { state: { type: string } }).state.type, 'COMPLETED');
    });

    it('maps over iterables with unmapped constants, results in order', async () => {
      let results: string[] = [];
      await run(runnerCase.create(), async () => {
        results = await Promise.all(sleepThenReturn.map(unmapped(5), ['a', 'b', 'c']));
      });
      assert.deepEqual(results, ['a', 'b', 'c']);
    });

    it('names task runs <name>-<8 hex>-<n>, counting each task from 0 in the flow run', async () => {
      const { reporter } = await run(runnerCase.create(), async () => {
        await Promise.all([addOne.submit(1), addOne.submit(2), sum.submit([1])]);
      });
      const created = reporter.messages.filter((line) => line.includes('Created task run'));
      assert.equal(created.length, 3);
      const [first, second, third] = created.map((line) => /Created task run '([^']+)' for task '([^']+)'/.exec(line)?.slice(1));
      assert.match(first?.[0] ?? '', /^add_one-[0-9a-f]{8}-0$/);
      assert.equal(second?.[0], first?.[0]?.replace(/-0$/, '-1'));
      assert.match(third?.[0] ?? '', /^sum-[0-9a-f]{8}-0$/);
      assert.equal(third?.[1], 'sum');
    });

    it(`announces each submission with "${runnerCase.submittedWord}" and direct calls with "Executing ... immediately..."`, async () => {
      const { reporter } = await run(runnerCase.create(), async () => {
        await addOne.submit(1);
        await addOne(2);
      });
      const lines = reporter.messages;
      const submittedLine = runnerCase.submittedWord === 'Executing' ? /Executing 'add_one-[0-9a-f]{8}-0' immediately\.\.\.$/ : /Submitted task run 'add_one-[0-9a-f]{8}-0' for execution\.$/;
      assert.ok(lines.some((line) => submittedLine.test(line)), lines.join('\n'));
      assert.ok(lines.some((line) => /Executing 'add_one-[0-9a-f]{8}-1' immediately\.\.\.$/.test(line)), lines.join('\n'));
    });

    it(runnerCase.overlaps ? 'overlaps async task runs' : 'runs submitted task runs one at a time, in order', async () => {
      let spans: { label: string; start: number; end: number }[] = [];
      await run(runnerCase.create(), async () => {
        // 300 ms each: on the parallel runner, the two runs overlap unless one
        // worker starts more than 600 ms after the other, which a loaded machine
        // can make 120 ms (the pause was 60 ms, and failed so under load).
        spans = await Promise.all([timedSleep.submit('a', 300), timedSleep.submit('b', 300), timedSleep.submit('c', 300)]);
      });
      const overlapping = spans.some((span, index) => spans.slice(index + 1).some((other) => other.start < span.end && span.start < other.end));
      assert.equal(overlapping, runnerCase.overlaps, JSON.stringify(spans));
      if (!runnerCase.overlaps) {
        assert.deepEqual(
          [...spans].sort((x, y) => x.start - y.start).map((span) => span.label),
          ['a', 'b', 'c'],
        );
      }
    });

    it('gives getRunLogger() lines and logPrints prints the task run name', async () => {
      const { reporter } = await run(runnerCase.create(), async () => {
        await logSomething.submit('here');
        await printSomething.submit('there');
      });
      const lines = reporter.messages;
      assert.ok(lines.some((line) => /^Task run 'log_something-[0-9a-f]{8}-0' - logged here$/.test(line)), lines.join('\n'));
      assert.ok(lines.some((line) => /^Task run 'print_something-[0-9a-f]{8}-0' - printed there$/.test(line)), lines.join('\n'));
    });

    it('logs the lifecycle lines of LOGS.md in order', async () => {
      const runner = runnerCase.create();
      const { reporter, flowRun } = await run(runner, async () => {
        await addOne.submit(1);
      });
      const lines = reporter.messages.map((line) => line.replace(/add_one-[0-9a-f]{8}-0/g, 'add_one-HASH-0'));
      assert.deepEqual(lines, [
        `flowrun.engine - Created flow run '${flowRun.name}' for flow 'contract'`,
        `Flow run '${flowRun.name}' - Starting '${runner.name}'; submitted tasks will be run ${runner.concurrency}...`,
        // The parallel runner says how many workers it has (LOGS.md allows
        // the line), the distributed runner where it sends task runs.
        ...(runner instanceof ParallelTaskRunner ? [`Flow run '${flowRun.name}' - Running tasks on ${runner.workers} worker threads.`] : []),
        ...(runner instanceof DistributedTaskRunner ? [`Flow run '${flowRun.name}' - Sending task runs to queue '${runner.queueName}' at ${runner.redisUrl}.`] : []),
        `Flow run '${flowRun.name}' - Created task run 'add_one-HASH-0' for task 'add_one'`,
        runnerCase.submittedWord === 'Executing'
          ? `Flow run '${flowRun.name}' - Executing 'add_one-HASH-0' immediately...`
          : `Flow run '${flowRun.name}' - Submitted task run 'add_one-HASH-0' for execution.`,
        `Task run 'add_one-HASH-0' - Finished in state Completed()`,
        `Flow run '${flowRun.name}' - Finished in state Completed('All states completed.')`,
      ]);
    });

    it('runs a flow called inside a flow as a subflow run whose state counts', async () => {
      const child = flow({ name: 'child' }, async () => {
        await boom.submit('child failed');
      });
      const { reporter, state, flowRun } = await run(runnerCase.create(), async () => {
        await addOne.submit(1);
        await child().catch(() => undefined);
      });
      const created = reporter.messages.find((line) => line.startsWith(`Flow run '${flowRun.name}' - Created subflow run`));
      assert.match(created ?? '', /Created subflow run '[a-z]+-[a-z]+' for flow 'child'$/);
      assert.equal(state.type, 'FAILED');
      assert.equal(state.message, '1/2 states failed.');
    });

    it('honours .with() options and waitFor without passing values', async () => {
      let spans: { label: string; start: number; end: number }[] = [];
      const { reporter } = await run(runnerCase.create(), async () => {
        const first = timedSleep.submit('first', 50);
        const second = timedSleep.with({ name: 'renamed', waitFor: [first] }).submit('second', 0);
        spans = await Promise.all([first, second]);
      });
      const [first, second] = spans;
      assert.ok(first && second && second.start >= first.end, JSON.stringify(spans));
      assert.ok(reporter.messages.some((line) => /Created task run 'renamed-[0-9a-f]{8}-0' for task 'renamed'/.test(line)));
    });

    it('names runs from taskRunName templates and functions, and keeps tags on the run', async () => {
      let fetched: { url: string; tags: string[] } | undefined;
      const { reporter } = await run(runnerCase.create(), async () => {
        fetched = await fetchPage.submit('home');
        await byFunction.submit({ day: 3 });
      });
      const lines = reporter.messages;
      assert.ok(lines.some((line) => line.endsWith("Created task run 'fetch-home' for task 'fetch'")), lines.join('\n'));
      assert.ok(lines.some((line) => line.endsWith("Created task run 'day-3' for task 'by_function'")), lines.join('\n'));
      assert.deepEqual(fetched, { url: 'home', tags: ['http'] });
    });

    it('lets a task call another task', async () => {
      let result: number | undefined;
      const { state } = await run(runnerCase.create(), async () => {
        result = await outerCall.submit(1);
      });
      assert.equal(result, 20);
      assert.equal(state.message, 'All states completed.');
    });

    it(
      runnerCase.nestedSubmit
        ? 'lets a task submit and await another task (no deadlock, even one at a time)'
        : 'refuses .submit() inside a task on a worker, saying what to do instead',
      async () => {
        let result: unknown;
        const { state } = await run(runnerCase.create(), async () => {
          result = await outerSubmit.submit(1).then(
            (value) => value,
            (error: unknown) => error,
          );
        });
        if (runnerCase.nestedSubmit) {
          assert.equal(result, 20);
          assert.equal(state.message, 'All states completed.');
        } else {
          assert.ok(result instanceof Error);
          assert.match(result.message, /add_one\.submit\(\) inside a task running on a worker thread .*await add_one\(\.\.\.\)/);
        }
      },
    );

    it('gives a subflow call the results of the futures it returned', async () => {
      const child = flow({ name: 'child' }, async () => addOne.map([1, 2, 3]));
      let returned: unknown;
      await run(runnerCase.create(), async () => {
        returned = await child();
      });
      assert.deepEqual(returned, [2, 3, 4]);
    });

    it(runnerCase.overlaps ? 'runs a direct call at once' : 'runs a direct call after the runs submitted before it', async () => {
      let spans: { label: string; start: number; end: number }[] = [];
      await run(runnerCase.create(), async () => {
        // Long enough that a worker started late still overlaps it: on a
        // loaded 2-core machine (the whole suite at once) the second worker
        // of the parallel runner took over 400 ms to start.
        const submitted = timedSleep.submit('submitted', 1500);
        const direct = await timedSleep('direct', 10);
        spans = [await submitted, direct];
      });
      const [submitted, direct] = spans;
      assert.ok(submitted && direct);
      assert.equal(direct.start >= submitted.end, !runnerCase.overlaps, JSON.stringify(spans));
    });

    it('ends a run TimedOut at its timeoutSeconds, whether or not its code stops', async () => {
      const { reporter, state } = await run(runnerCase.create(), async () => {
        await Promise.all([slowPastTimeout.submit().wait(), stopsWhenAborted.submit().wait()]);
      });
      const ended = Date.now();
      // Their code sleeps 1.5 s, and starts once its run is Running: a flow
      // run that waited for it would end 1.5 s or more after that, not just
      // past their deadline of 0.2 s.
      const running = reporter.stateChanges.filter((change) => change.state.name === 'Running');
      assert.equal(running.length, 2);
      for (const change of running) {
        assert.ok(ended - change.at < 1500, `the flow run waited for ${change.run}: it ended ${ended - change.at} ms after the run started`);
      }
      const lines = reporter.messages;
      for (const name of ['slow_past_timeout', 'stops_when_aborted']) {
        assert.ok(lines.some((line) => new RegExp(`^Task run '${name}-[0-9a-f]{8}-0' - Task run exceeded timeout of 0\\.2 second\\(s\\)$`).test(line)), lines.join('\n'));
        assert.ok(
          lines.some((line) =>
            new RegExp(`^Task run '${name}-[0-9a-f]{8}-0' - Finished in state TimedOut\\('Task run exceeded timeout of 0\\.2 second\\(s\\)', type=FAILED\\)$`).test(line),
          ),
          lines.join('\n'),
        );
      }
      assert.equal(state.message, '2/2 states failed.');
    });

    it('ends a run TimedOut when its synchronous code returns past its deadline, even before its first await, discarding its result', async () => {
      let results: string[] = [];
      const { reporter, state } = await run(runnerCase.create(), async () => {
        results = (await Promise.all([busyPastTimeout.submit().wait(), busyThenAwait.submit().wait()])).map((final) => formatState(final));
      });
      assert.deepEqual(results, [
        "TimedOut('Task run exceeded timeout of 0.3 second(s)', type=FAILED)",
        "TimedOut('Task run exceeded timeout of 0.3 second(s)', type=FAILED)",
      ]);
      for (const name of ['busy_past_timeout', 'busy_then_await']) {
        assert.ok(reporter.messages.some((line) => new RegExp(`^Task run '${name}-[0-9a-f]{8}-0' - Task run exceeded timeout of 0\\.3 second\\(s\\)$`).test(line)), reporter.messages.join('\n'));
      }
      assert.equal(state.message, '2/2 states failed.');
    });

    it('aborts the signal of a task run without a timeout of its own when its flow run times out, and shows nothing after the flow run\'s last line', async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'flowrun-abort-'));
      try {
        const marker = join(scratch, 'aborted');
        const runtime = createTestRuntime();
        const stopped = flow({ name: 'stopped', timeoutSeconds: 0.3 }, async () => {
          awaitsAbort.submit(marker);
          // Queued behind it on the sequential runner: never started, never announced late.
          await Promise.all([sleepThenReturn.submit(600, 'a'), announceRun.submit(1)]);
        });
        const outcome = await stopped.execute({}, { runner: runnerCase.create(), runtime });
        assert.equal(formatState(outcome.state), "TimedOut('Flow run exceeded timeout of 0.3 second(s)', type=FAILED)");
        const recordsAtEnd = runtime.reporter.records.length;
        await new Promise((resolve) => setTimeout(resolve, 900));
        const lines = runtime.reporter.messages;
        assert.match(lines[recordsAtEnd - 1] ?? '', /^Flow run '[^']+' - Finished in state TimedOut/, lines.join('\n'));
        const late = runtime.reporter.records.slice(recordsAtEnd).filter((record) => record.level > LOG_LEVELS.DEBUG);
        assert.deepEqual(late.map((record) => formatMessage(record, PLAIN_STYLES)), [], 'lines above DEBUG after the flow run ended');
        if (!runnerCase.overlaps) {
          // Still in the queue at the deadline: it never started.
          assert.ok(!lines.some((line) => line.includes('announce_run ran') || line.includes("Executing 'announce_run")), lines.join('\n'));
        }
        for (const name of ['awaits_abort', 'sleep_then_return']) {
          assert.ok(
            lines.some((line) => new RegExp(`^Task run '${name}-[0-9a-f]{8}-0' - Finished in state Cancelled\\('Flow run exceeded timeout of 0\\.3 second\\(s\\)'\\)$`).test(line)),
            lines.join('\n'),
          );
        }
        if (runnerCase.signalReachesCode) {
          assert.equal(readFileSync(marker, 'utf8'), 'Flow run exceeded timeout of 0.3 second(s)');
        } else {
          assert.equal(existsSync(marker), false, 'the worker running the task was not stopped');
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });

    it('ends a subflow run Cancelled, with its task runs, when its parent times out, before the parent\'s last line', async () => {
      const runtime = createTestRuntime();
      const child = flow({ name: 'child-of-slow' }, async () => sleepThenReturn.submit(1500, 'late'));
      const parent = flow({ name: 'slow-parent', timeoutSeconds: 0.3 }, async () => child());
      const outcome = await parent.execute({}, { runner: runnerCase.create(), runtime });
      assert.equal(outcome.state.name, 'TimedOut');
      const lines = runtime.reporter.messages;
      const childEnd = lines.findIndex((line) => /^Flow run '[^']+' - Finished in state Cancelled\('Flow run exceeded timeout of 0\.3 second\(s\)'\)$/.test(line));
      const parentEnd = lines.findIndex((line) => line === `Flow run '${outcome.flowRun.name}' - Finished in state TimedOut('Flow run exceeded timeout of 0.3 second(s)', type=FAILED)`);
      assert.ok(childEnd !== -1 && parentEnd > childEnd, lines.join('\n'));
      assert.ok(lines.some((line) => /sleep_then_return-[0-9a-f]{8}-0' - Finished in state Cancelled\('Flow run exceeded timeout of 0\.3 second\(s\)'\)$/.test(line)), lines.join('\n'));
    });

    if (runnerCase.nestedSubmit) {
      it('refuses a submission from a try that went on past its timeout, with an error naming the run, and starts no task run', async () => {
        const scratch = mkdtempSync(join(tmpdir(), 'flowrun-late-'));
        try {
          const notes = join(scratch, 'notes');
          const { reporter, state } = await run(runnerCase.create(), async () => {
            await lateSubmitter.submit(join(scratch, 'count'), notes);
          });
          assert.equal(state.type, 'COMPLETED');
          assert.match(
            readFileSync(notes, 'utf8'),
            /^FinishedRunError: task run 'late_submitter-[0-9a-f]{8}-0' has been stopped \(Task run exceeded timeout of 0\.2 second\(s\)\); add_one\.submit\(\) cannot start a run/,
          );
          assert.ok(!reporter.messages.some((line) => line.includes('add_one')), reporter.messages.join('\n'));
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      });
    }

    it('retries a failed task run with its delays, through AwaitingRetry and Retrying, until it completes', async (t) => {
      const counter = join(makeTempDir(t, 'flowrun-retry-'), 'count');
      let result: number | undefined;
      const { reporter, state } = await run(runnerCase.create(), async () => {
        result = await failsTimes.submit(counter, 2);
      });
      assert.equal(result, 3);
      assert.equal(state.type, 'COMPLETED');
      const own = reporter.messages.filter((line) => line.startsWith("Task run 'fails_times-")).map((line) => line.replace(/^Task run '[^']+' - /, ''));
      assert.deepEqual(own, [
        "Task run failed with exception: Error('attempt 1 failed') - Retry 1/2 will start 0.05 second(s) from now",
        "Task run failed with exception: Error('attempt 2 failed') - Retry 2/2 will start 0.1 second(s) from now",
        'Finished in state Completed()',
      ]);
      const names = reporter.stateChanges.filter((change) => change.run.startsWith('fails_times-')).map((change) => change.state.name);
      assert.deepEqual(names, ['Pending', 'Running', 'AwaitingRetry', 'Retrying', 'AwaitingRetry', 'Retrying', 'Completed']);
    });

    it('fails a run whose retries are exhausted, logging its stack once', async (t) => {
      const counter = join(makeTempDir(t, 'flowrun-retry-'), 'count');
      const { reporter, state } = await run(runnerCase.create(), async () => {
        await failsTimes.submit(counter, 5).wait();
      });
      assert.equal(state.message, '1/1 states failed.');
      const own = reporter.messages.filter((line) => line.startsWith("Task run 'fails_times-"));
      assert.equal(own.filter((line) => line.includes('Encountered exception during execution:\nError: attempt 3 failed')).length, 1, own.join('\n'));
      assert.match(own.at(-1) ?? '', /Finished in state Failed\('Task run encountered an exception Error: attempt 3 failed'\)$/);
    });

    it('runs onCompletion and onFailure hooks with the run and its state; a hook that throws changes nothing', async () => {
      hookCalls.length = 0;
      const { reporter } = await run(runnerCase.create(), async () => {
        await hooked.submit(false);
        await hooked.submit(true).wait();
      });
      assert.deepEqual(hookCalls, ['completed hooked in Completed', 'failed hooked in Failed']);
      const lines = reporter.messages.filter((line) => line.startsWith("Task run 'hooked-"));
      assert.ok(lines.some((line) => line.endsWith("Running hook 'noteCompletion' in response to entering state 'Completed'")), lines.join('\n'));
      assert.ok(lines.some((line) => line.endsWith("Hook 'noteCompletion' finished running successfully")), lines.join('\n'));
      assert.ok(lines.some((line) => line.includes("An error was encountered while running hook 'brokenHook'\nError: the hook broke")), lines.join('\n'));
      assert.ok(lines.some((line) => /hooked-[0-9a-f]{8}-0' - Finished in state Completed\(\)$/.test(line)), lines.join('\n'));
    });

    it('retries a failed flow run, and ends one past its timeout TimedOut with its live task runs Cancelled', async () => {
      let attempts = 0;
      const flaky = flow({ name: 'flaky-flow', retries: 1 }, async () => {
        attempts += 1;
        await addOne.submit(attempts);
        if (attempts === 1) {
          throw new Error('first try fails');
        }
      });
      const slow = flow({ name: 'slow-flow', timeoutSeconds: 0.3 }, async () => {
        await sleepThenReturn.submit(1500, 'late');
      });
      const runtime = createTestRuntime();
      const retried = await flaky.execute({}, { runner: runnerCase.create(), runtime });
      const timedOut = await slow.execute({}, { runner: runnerCase.create(), runtime });
      assert.equal(attempts, 2);
      assert.equal(retried.state.type, 'COMPLETED');
      const lines = runtime.reporter.messages;
      assert.ok(lines.includes(`Flow run '${retried.flowRun.name}' - Received non-final state 'AwaitingRetry' when proposing final state 'Failed' and will attempt to run again...`), lines.join('\n'));
      assert.equal(timedOut.state.name, 'TimedOut');
      assert.ok(lines.includes(`Flow run '${timedOut.flowRun.name}' - Flow run exceeded timeout of 0.3 second(s)`), lines.join('\n'));
      assert.ok(lines.some((line) => /sleep_then_return-[0-9a-f]{8}-0' - Finished in state Cancelled\('Flow run exceeded timeout of 0\.3 second\(s\)'\)$/.test(line)), lines.join('\n'));
    });

    it('passes a failed upstream wrapped in allowFailure() as its error, and runs the task', async () => {
      let described: string[] = [];
      await run(runnerCase.create(), async () => {
        const failed = boom.submit('upstream broke');
        const fine = addOne.submit(1);
        described = await Promise.all([describeInput.submit(allowFailure(failed)), describeInput.submit(allowFailure(fine))]);
      });
      assert.deepEqual(described, ['error: upstream broke', 'value: 2']);
    });

    it('waits for futures with wait() and yields them as they finish with asCompleted()', async () => {
      let order: string[] = [];
      let split: { done: number; notDone: number } | undefined;
      await run(runnerCase.create(), async () => {
        const slow = sleepThenReturn.submit(600, 'slow');
        const quick = sleepThenReturn.submit(10, 'quick');
        if (runnerCase.overlaps) {
          await quick;
          const partial = await wait([slow, quick], 0.01);
          split = { done: partial.done.length, notDone: partial.notDone.length };
        }
        for await (const { future, state } of asCompleted([slow, quick])) {
          assert.equal(state.type, 'COMPLETED');
          order.push(await future.result());
        }
        await wait([slow, quick]);
      });
      assert.deepEqual(order, runnerCase.overlaps ? ['quick', 'slow'] : ['slow', 'quick']);
      if (runnerCase.overlaps) {
        assert.deepEqual(split, { done: 1, notDone: 1 });
      }
      order = [];
    });

    it('runs at most the concurrencyLimits of a tag at once, across the flow run and its subflows, saying why a run waits', async () => {
      const runtime = createTestRuntime();
      const child = flow({ name: 'db-child' }, async () => Promise.all([queryDatabase.submit('child-1'), queryDatabase.submit('child-2')]));
      const parent = flow({ name: 'db-parent' }, async () => {
        const own = Promise.all(['a', 'b', 'c'].map((label) => queryDatabase.submit(label)));
        const [mine, theirs] = await Promise.all([own, child()]);
        return [...mine, ...theirs];
      });
      const outcome = await parent.execute({}, { runner: runnerCase.create(), runtime, concurrencyLimits: { db: 2 } });
      const spans = outcome.state.data as { start: number; end: number }[];
      assert.equal(spans.length, 5);
      // The most runs going at one instant: at each start, those begun and not yet ended.
      const mostAtOnce = Math.max(...spans.map((span) => spans.filter((other) => other.start <= span.start && span.start < other.end).length));
      assert.ok(mostAtOnce <= 2, `${mostAtOnce} runs tagged db overlapped: ${JSON.stringify(spans)}`);
      if (runnerCase.overlaps) {
        assert.ok(runtime.reporter.messages.some((line) => line.endsWith("Waiting for a concurrency slot: the limit of 2 for the 'db' tag has been reached")));
      }
    });

    it('streams a shell task\'s output into its log, fails it on a non-zero exit, and kills its process tree at the timeout', async () => {
      const marker = `3${Math.floor(Math.random() * 1000)}.5`;
      let output: string | undefined;
      let piped: { piped: string; literal: string } | undefined;
      const { reporter } = await run(runnerCase.create(), async () => {
        output = await countLines.submit(3);
        piped = await shellPipeline.submit('hello');
        await failingCommand.submit().wait();
        await sleepyCommand.submit(marker).wait();
      });
      assert.equal(output, 'out 0\nout 1\nout 2');
      assert.deepEqual(piped, { piped: 'HELLO', literal: 'hello && $HOME' });
      const lines = reporter.records.filter((record) => record.source.name.startsWith('count_lines-')).map((record) => `${record.level} ${formatMessage(record, PLAIN_STYLES)}`);
      assert.deepEqual(lines.slice(0, 4).sort(), ['20 out 0', '20 out 1', '20 out 2', '30 a warning']);
      const failed = reporter.messages.find((line) => line.startsWith("Task run 'failing_command-") && line.includes('Finished in state'));
      assert.match(failed ?? '', /Failed\("Task run encountered an exception ShellCommandError: Command failed with exit code 3: .* last lines of stderr:\\nfirst problem\\nbad thing"\)/);
      const timedOut = reporter.messages.find((line) => line.startsWith("Task run 'sleepy_command-") && line.includes('Finished in state'));
      assert.match(timedOut ?? '', /TimedOut\('Task run exceeded timeout of 0\.5 second\(s\)', type=FAILED\)/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const left = spawnSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).stdout.trim();
      assert.equal(left, '', `processes left behind by the timed-out command: ${left}`);
    });

    it('gives the flow what a task threw as it was thrown: a ShellCommandError with its exit code and stderr tail, an object, a string, a number, a subclass with its fields', async () => {
      const caught: Record<string, unknown> = {};
      const { reporter } = await run(runnerCase.create(), async () => {
        try {
          await failingCommand.submit();
        } catch (error) {
          caught.shell = error;
        }
        for (const kind of ['object', 'string', 'number', 'custom', 'aggregate'] as const) {
          try {
            await throwKind.submit(kind);
          } catch (error) {
            caught[kind] = error;
          }
        }
      });
      const shell = caught.shell;
      assert.ok(shell instanceof ShellCommandError, `caught ${String(shell)}`);
      assert.equal(shell.exitCode, 3);
      assert.deepEqual(shell.stderrTail, ['first problem', 'bad thing']);
      assert.equal(shell.code, 'FLOWRUN_SHELL_COMMAND');
      assert.deepStrictEqual(caught.object, { code: 42, reason: 'x', nested: { list: [1, 2] } });
      assert.equal(caught.string, 'just a string');
      assert.equal(caught.number, 7);
      const custom = caught.custom as Error & { status?: unknown; code?: unknown };
      assert.ok(custom instanceof Error);
      assert.equal(custom.constructor.name, 'NotFoundError');
      assert.deepEqual([custom.status, custom.code, custom.message], [404, 'ENOENT', 'no such page']);
      assert.ok(custom.cause instanceof TypeError);
      assert.equal(custom.cause.message, 'socket closed');
      const aggregate = caught.aggregate;
      assert.ok(aggregate instanceof AggregateError);
      assert.deepEqual(aggregate.errors.map((error) => `${(error as Error).name}: ${(error as Error).message}`), ['Error: first', 'RangeError: second']);
      // The lines are the concurrent runner's on every runner.
      const finished = reporter.messages.filter((line) => line.startsWith("Task run 'throw_kind-") && line.includes('Finished in state'));
      assert.deepEqual(finished.map((line) => line.replace(/^.* - Finished in state /, '')).sort(), [
        `Failed('Task run encountered an exception AggregateError: both failed')`,
        `Failed('Task run encountered an exception Error: just a string')`,
        `Failed('Task run encountered an exception Error: no such page')`,
        `Failed('Task run encountered an exception Thrown value: 7')`,
        `Failed('Task run encountered an exception Thrown value: {"code":42,"reason":"x","nested":{"list":[1,2]}}')`,
      ]);
    });

    it('caches results under storeDir across flow runs: Cached(type=COMPLETED) without running, until they expire or are refreshed', async (t) => {
      const storeDir = makeTempDir(t, 'flowrun-store-');
      const squares = flow({ name: 'squares' }, async ({ refresh }: { refresh: boolean }) =>
        Promise.all([(refresh ? cachedSquare.with({ refreshCache: true }) : cachedSquare).submit(4), cachedSquare.submit(5)]),
      );
      // Each run with a reporter of its own: task run names repeat from one flow run to the next.
      const runSquares = async (refresh: boolean) => {
        const runtime = createTestRuntime();
        const outcome = await squares.execute({ refresh }, { runner: runnerCase.create(), runtime, storeDir });
        return { data: outcome.state.data, lines: runtime.reporter.messages.filter((line) => line.startsWith("Task run 'cached_square-")) };
      };
      const first = await runSquares(false);
      const second = await runSquares(false);
      const refreshed = await runSquares(true);
      assert.deepEqual([first.data, second.data, refreshed.data], [[16, 25], [16, 25], [16, 25]]);
      const computing = (lines: string[]): number => lines.filter((line) => / - computing \d$/.test(line)).length;
      assert.equal(computing(first.lines), 2, first.lines.join('\n'));
      assert.equal(computing(second.lines), 0, second.lines.join('\n'));
      assert.equal(second.lines.filter((line) => line.endsWith('Finished in state Cached(type=COMPLETED)')).length, 2, second.lines.join('\n'));
      assert.equal(computing(refreshed.lines), 1, refreshed.lines.join('\n'));
    });

    it('fails a run whose result cannot be stored, saying why', async (t) => {
      const storeDir = makeTempDir(t, 'flowrun-store-');
      const runtime = createTestRuntime();
      const keeps = flow({ name: 'keeps' }, async () => {
        await unpersistable.submit().wait();
      });
      const outcome = await keeps.execute({}, { runner: runnerCase.create(), runtime, storeDir });
      assert.equal(outcome.state.type, 'FAILED');
      assert.ok(
        runtime.reporter.messages.some((line) =>
          /Finished in state Failed\("Cannot persist the result of task 'unpersistable': the result\.lookup is a Map\. Cached and persisted results are stored as JSON/.test(line),
        ),
        runtime.reporter.messages.join('\n'),
      );
    });

    it('runs several subflows at once with Promise.all, each named from its flowRunName template, their states counting in the parent', async () => {
      const child = flow({ name: 'part', flowRunName: 'part-{label}' }, async ({ label }: { label: string }) => {
        if (label === 'bad') {
          await boom.submit('bad part');
        }
        return addOne.submit(label.length);
      });
      const { reporter, state, flowRun } = await run(runnerCase.create(), async () => {
        await Promise.all([child({ label: 'one' }), child({ label: 'three' }), child({ label: 'bad' }).catch(() => undefined)]);
      });
      for (const label of ['one', 'three', 'bad']) {
        assert.ok(reporter.messages.includes(`Flow run '${flowRun.name}' - Created subflow run 'part-${label}' for flow 'part'`), reporter.messages.join('\n'));
      }
      assert.equal(state.message, '1/3 states failed.');
    });

    // A reporter that fails at one point of one run's life: not the task's
    // doing, so not Failed, and the flow goes on.
    class BreaksOnce extends MemoryReporter {
      constructor(readonly where: 'submission line' | 'Running state') {
        super();
      }

      override log(record: Parameters<MemoryReporter['log']>[0]): void {
        super.log(record);
        if (this.where === 'submission line' && record.kind === 'task-run-submitted' && record.taskRunName.startsWith('add_one-')) {
          throw new Error('the reporter broke');
        }
      }

      override taskRunStateChanged(run: { readonly name: string }, state: Parameters<MemoryReporter['taskRunStateChanged']>[1]): void {
        super.taskRunStateChanged(run, state);
        if (this.where === 'Running state' && state.type === 'RUNNING' && run.name.startsWith('add_one-')) {
          throw new Error('the reporter broke');
        }
      }
    }

    for (const where of ['submission line', 'Running state'] as const) {
      it(`ends a run Crashed, and settles its future, when the machinery around the task fails (${where})`, async () => {
        let final: string | undefined;
        let other: number | undefined;
        const { reporter, state } = await run(
          runnerCase.create(),
          async () => {
            const broken = addOne.submit(1);
            other = await sum.submit([2, 3]);
            final = (await broken.wait()).name;
          },
          new BreaksOnce(where),
        );
        assert.equal(final, 'Crashed');
        assert.equal(other, 5);
        assert.ok(reporter.messages.some((line) => /^Task run 'add_one-[^']+' - Crash detected! .*Error: the reporter broke$/.test(line)), reporter.messages.join('\n'));
        assert.equal(state.message, '1/2 states failed.');
      });
    }

    it('refuses submissions before start()', async () => {
      const runner = runnerCase.create();
      await assert.rejects(
        runner.submit({ taskRun: {} as never, direct: false, nested: false, announce: () => undefined, run: () => Promise.reject(new Error('ran')) }),
        /before start\(\)/,
      );
    });
  });
}
