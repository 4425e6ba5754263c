import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normaliseLines, runCli, startCli } from '../helpers/run-cli.js';

// The parallel runner through the CLI: worker threads, output from them,
// crashes, the --workers setting and signals.

describe('flow run --runner parallel', { concurrency: true }, () => {
  it('runs the CPU-bound example on two workers with the lines of every runner', async () => {
    const result = await runCli(['run', 'cpu-bound', '--runner', 'parallel', '--workers', '2', '--param', 'chunks=4', '--param', 'limit=100000']);
    assert.equal(result.code, 0, result.stderr);
    const lines = normaliseLines(result.stderr);
    assert.match(lines[1] ?? '', /Starting 'ParallelTaskRunner'; submitted tasks will be run in parallel\.\.\.$/);
    for (const chunk of [0, 1, 2, 3]) {
      assert.ok(lines.includes(`HH:MM:SS.mmm | INFO    | Task run 'count_primes-${chunk}' - Finished in state Completed()`), lines.join('\n'));
    }
    assert.equal(result.stdout, '4 chunks, 38368 primes in all\n');
    assert.match(lines.at(-1) ?? '', /Finished in state Completed\('All states completed\.'\)$/);
  });

  it('runs the seed print-values on worker threads', async () => {
    const result = await runCli(['run', 'print-values', '--runner', 'parallel']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n').sort(), ['AAAA', 'AAAA', 'AAAA', 'AAAA', 'BBBB', 'BBBB', 'BBBB', 'BBBB']);
    assert.notEqual(result.stdout.trim().split('\n').slice(0, 4).join(), 'AAAA,AAAA,AAAA,AAAA');
  });

  for (const ending of ['throw', 'exit'] as const) {
    it(`delivers every line a worker printed, in order, when its task ${ending === 'throw' ? 'throws' : 'calls process.exit()'}`, async () => {
      const result = await runCli(['run', 'test/fixtures/flows/worker-output.ts', '--runner', 'parallel', '--workers', '1', '--param', 'count=2000', '--param', `ending=${ending}`]);
      assert.equal(result.code, 1, result.stderr);
      const printed = result.stdout.trimEnd().split('\n');
      assert.equal(printed.length, 2000);
      assert.deepEqual(printed, Array.from({ length: 2000 }, (_, index) => `line ${index}`));
      const final = normaliseLines(result.stderr).find((line) => line.includes("Task run 'print_many-") && line.includes('Finished in state'));
      assert.match(final ?? '', ending === 'throw' ? /Failed\('Task run encountered an exception Error: failed after printing'\)/ : /Crashed\(.*exited with code 7/);
    });
  }

  it('loads, in a worker, TypeScript modules and packages that a task imports only when it runs', async () => {
    const result = await runCli(['run', 'test/fixtures/late-import/flow.ts', '--runner', 'parallel', '--workers', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '<2>x <4>x <6>x\n');
    assert.doesNotMatch(result.stderr, /cannot run on a worker thread/);
  });

  it('does not start a flow that a module calls at its top level when a worker imports it', async () => {
    const result = await runCli(['run', 'test/fixtures/scripts/script-style.ts', '--runner', 'parallel', '--workers', '2']);
    assert.equal(result.code, 0, result.stderr);
    // Once when the CLI imports the module (the module's own doing), once as the run asked for: never in a worker.
    assert.equal(result.stdout, 'script flow ran: 42\nscript flow ran: 42\n');
    assert.equal((result.stderr.match(/Created flow run/g) ?? []).length, 2, result.stderr);
  });

  for (const runner of ['concurrent', 'parallel']) {
    it(`runs twenty shell tasks at once on the ${runner} runner without a warning from Node`, async () => {
      const result = await runCli(['run', 'test/fixtures/many/many-commands.ts', '--runner', runner, '--workers', '2']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '20\n');
      assert.ok(!/Warning/.test(result.stderr.replace(/\| WARNING \| Task run 'echo-[^']+' - /g, '')), result.stderr);
    });
  }

  it("gives a flow the error its task threw on a worker as the concurrent runner does: a ShellCommandError's exit code and stderr tail, a thrown object", async () => {
    const runOn = (runner: string) => runCli(['run', 'test/fixtures/errors/caught-errors.ts', '--runner', runner, '--workers', '1']);
    const [concurrent, parallel] = await Promise.all([runOn('concurrent'), runOn('parallel')]);
    assert.equal(parallel.code, 1, parallel.stderr);
    assert.equal(
      parallel.stdout,
      '{"isShellCommandError":true,"name":"ShellCommandError","code":"FLOWRUN_SHELL_COMMAND","exitCode":4,"stderrTail":["first problem","bad thing"]}\n' +
        '{"type":"object","value":{"code":42,"reason":"x"}}\n',
    );
    assert.equal(parallel.stdout, concurrent.stdout);
    // What the task runs logged, from the exception on: the same words on both runners.
    const taskRunErrors = (stderr: string): string[] =>
      normaliseLines(stderr).filter((line) => / \| ERROR {3}\| Task run /.test(line) || !line.startsWith('HH:MM:SS.mmm'));
    assert.deepEqual(taskRunErrors(parallel.stderr), taskRunErrors(concurrent.stderr));
    assert.ok(taskRunErrors(parallel.stderr).some((line) => line.endsWith(`Finished in state Failed('Task run encountered an exception Thrown value: {"code":42,"reason":"x"}')`)));
  });

  it('takes --workers, FLOW_WORKERS and the config file, and refuses a count that is not a positive integer', async () => {
    const [zero, text, config] = await Promise.all([
      runCli(['run', 'cpu-bound', '--runner', 'parallel', '--workers', '0']),
      runCli(['run', 'cpu-bound', '--runner', 'parallel'], { env: { FLOW_WORKERS: 'abc' } }),
      runCli(['config', '--workers', '3']),
    ]);
    assert.equal(zero.code, 2);
    assert.equal(zero.stderr, 'error: --workers must be a positive integer, got 0.\n');
    assert.equal(text.code, 2);
    assert.equal(text.stderr, 'error: FLOW_WORKERS must be a positive integer, got "abc".\n');
    assert.ok(config.stdout.includes('workers           = 3 (from --workers)'), config.stdout);
  });

  it("boots the workers while the flow's module loads when the runner is known before it", async () => {
    const result = await runCli(['run', 'test/fixtures/flows/slow-to-load.ts', '--runner', 'parallel', '--workers', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '2 workers, 2 booted while the module loaded\n');
  });

  it("lets the flow's own settings choose another runner or pool than the one started before its module loaded", async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-prestart-'));
    try {
      const config = join(project, '.flowrc.json');
      writeFileSync(config, JSON.stringify({ runner: 'parallel', workers: 3, flows: { 'slow-to-load': { workers: 1 } } }));
      const [ownPool, ownRunner] = await Promise.all([
        runCli(['run', 'test/fixtures/flows/slow-to-load.ts', '--config', config]),
        runCli(['run', 'test/fixtures/flows/own-runner.ts', '--config', config]),
      ]);
      assert.equal(ownPool.code, 0, ownPool.stderr);
      assert.match(ownPool.stdout, /^1 workers, /);
      assert.equal(ownRunner.code, 0, ownRunner.stderr);
      assert.match(ownRunner.stderr, /Starting 'SequentialTaskRunner'/);
      assert.match(ownRunner.stderr, /Finished in state Completed\('All states completed\.'\)\n$/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('SIGINT cancels the runs on worker threads, exits 130 and leaves nothing running', async () => {
    // Primes below 2e9 by trial division: hours of work for each task. A CLI
    // that waited for the tasks instead of exiting at once would outlive
    // startCli's guard (30 s), which kills it and fails the test.
    const cli = startCli(['run', 'cpu-bound', '--runner', 'parallel', '--workers', '2', '--param', 'limit=2000000000']);
    await cli.waitFor('stderr', "Submitted task run 'count_primes-7'");
    // Let the workers start their (long) tasks, then interrupt.
    await new Promise((resolve) => setTimeout(resolve, 500));
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    const stderr = cli.stderr();
    assert.equal(code, 130, `exit ${String(code)}:\n${stderr.split("\n").slice(-12).join("\n")}`);
    const cancelled = normaliseLines(stderr).filter((line) => line.endsWith("Finished in state Cancelled('Execution was aborted by an interrupt signal.')"));
    // Eight count_primes runs, the report run waiting for them, and the flow run.
    assert.equal(cancelled.length, 10, `exit ${String(code)}:\n${stderr}`);
  });

  it('starts no more workers than it has runs for: 2 task runs on a pool of 16 start 2 threads', { skip: existsSync('/proc/self/status') ? false : 'needs /proc to count threads' }, async () => {
    const threads = async (workers: number): Promise<number> => {
      const result = await runCli(['run', 'test/fixtures/flows/two-tasks-many-workers.ts', '--workers', String(workers)]);
      assert.equal(result.code, 0, result.stderr);
      return Number(/^threads: (\d+)$/m.exec(result.stdout)?.[1]);
    };
    const [few, many] = await Promise.all([threads(2), threads(16)]);
    // Each worker is a thread of the process: 14 more if all 16 started.
    assert.ok(many - few <= 4, `a pool of 16 had ${many} threads, a pool of 2 had ${few}`);
  });
});
