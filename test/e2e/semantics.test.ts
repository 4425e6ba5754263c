import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normaliseLines, runCli, startCli } from '../helpers/run-cli.js';

// The example flows of retries and caching through the CLI, as a user runs them.

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** When a log line was written (its HH:MM:SS.mmm), in ms since midnight. */
const loggedAt = (line: string): number => {
  const match = /^(\d\d):(\d\d):(\d\d)\.(\d{3}) /.exec(line);
  assert.ok(match, `a log line without its time: ${line}`);
  const [hours, minutes, seconds, ms] = match.slice(1).map(Number) as [number, number, number, number];
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
};

/** How long each run of a task took by the CLI's own log: from the line that created it to its final line. */
const taskRunDurations = (stderr: string, taskName: string): { run: string; ms: number }[] => {
  const lines = stderr.split('\n');
  return lines.flatMap((line) => {
    const run = new RegExp(`Created task run '(${taskName}-[0-9a-f]{8}-\\d+)'`).exec(line)?.[1];
    const final = run === undefined ? undefined : lines.find((other) => other.includes(`Task run '${run}' - Finished in state `));
    // Across midnight too.
    return run === undefined || final === undefined ? [] : [{ run, ms: (loggedAt(final) - loggedAt(line) + MS_PER_DAY) % MS_PER_DAY }];
  });
};

describe('retries and caching through flow run', { concurrency: true }, () => {
  it('retries a failing task with its delays and completes', async () => {
    const result = await runCli(['run', 'retries']);
    assert.equal(result.code, 0, result.stderr);
    const lines = normaliseLines(result.stderr).filter((line) => line.includes("Task run 'flaky_fetch-"));
    assert.deepEqual(
      lines.map((line) => line.replace(/^HH:MM:SS\.mmm \| INFO {4}\| Task run 'flaky_fetch-[0-9a-f]{8}-0' - /, '')),
      [
        "Task run failed with exception: Error('attempt 1 failed') - Retry 1/3 will start 0.2 second(s) from now",
        "Task run failed with exception: Error('attempt 2 failed') - Retry 2/3 will start 0.4 second(s) from now",
        'Finished in state Completed()',
      ],
    );
    assert.equal(result.stdout, 'fetched on attempt 3\n');
  });

  it('leaves a readable store when the CLI is killed with SIGKILL in the middle of writing it', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'flowrun-kill-'));
    try {
      const env = { FLOW_STORE_DIR: storeDir };
      const cli = startCli(['run', 'test/fixtures/flows/store-writer.ts'], { env });
      await cli.waitFor('stdout', 'computing 30');
      cli.child.kill('SIGKILL');
      await cli.exited;
      const stored = readdirSync(join(storeDir, 'results')).filter((name) => name.endsWith('.json'));
      assert.ok(stored.length >= 30, `only ${stored.length} results were stored`);
      for (const entry of stored) {
        assert.doesNotThrow(() => JSON.parse(readFileSync(join(storeDir, 'results', entry), 'utf8')) as unknown, entry);
      }
      // The next run reads what is there, redoes the rest, and ends well.
      const again = await runCli(['run', 'test/fixtures/flows/store-writer.ts', '--param', 'count=60'], { env, timeoutMs: 60_000 });
      assert.equal(again.code, 0, again.stderr);
      assert.ok(again.stdout.endsWith('total 1200000\n'), again.stdout.slice(-200));
      const cached = normaliseLines(again.stderr).filter((line) => line.endsWith('Finished in state Cached(type=COMPLETED)'));
      assert.ok(cached.length >= 30, `${cached.length} runs were read from the store`);
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  for (const runner of ['concurrent', 'parallel']) {
    it(`skips the work on a second run on the ${runner} runner: Cached(type=COMPLETED), with every result whole in the store`, async () => {
      const storeDir = mkdtempSync(join(tmpdir(), 'flowrun-cache-'));
      try {
        const env = { FLOW_STORE_DIR: storeDir };
        // Two runs at once share the store without clobbering each other.
        const [first, concurrent] = await Promise.all([
          runCli(['run', 'caching', '--runner', runner, '--param', 'upTo=2'], { env }),
          runCli(['run', 'caching', '--runner', runner, '--param', 'upTo=2'], { env }),
        ]);
        assert.equal(first.code, 0, first.stderr);
        assert.equal(concurrent.code, 0, concurrent.stderr);
        const second = await runCli(['run', 'caching', '--runner', runner, '--param', 'upTo=2'], { env });
        assert.equal(second.code, 0, second.stderr);
        // Each run ended sooner than the work it skips could have: slow_square sleeps 1 s.
        const durations = taskRunDurations(second.stderr, 'slow_square');
        assert.equal(durations.length, 2, second.stderr);
        for (const { run, ms } of durations) {
          assert.ok(ms < 1000, `${run} took ${ms} ms, as long as its work:\n${second.stderr}`);
        }
        const finished = normaliseLines(second.stderr).filter((line) => line.includes("Task run 'slow_square-") && line.includes('Finished in state'));
        assert.equal(finished.length, 2);
        assert.ok(finished.every((line) => line.endsWith('Finished in state Cached(type=COMPLETED)')), finished.join('\n'));
        assert.equal(second.stdout, 'squares: 1, 4\n');
        const entries = readdirSync(join(storeDir, 'results'));
        assert.equal(entries.filter((name) => name.endsWith('.tmp')).length, 0, entries.join(', '));
        for (const entry of entries) {
          assert.doesNotThrow(() => JSON.parse(readFileSync(join(storeDir, 'results', entry), 'utf8')) as unknown, entry);
        }
      } finally {
        rmSync(storeDir, { recursive: true, force: true });
      }
    });
  }
});
