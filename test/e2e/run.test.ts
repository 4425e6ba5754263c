import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, FLOW_BIN, normaliseLines, normaliseRunNames, REPO_ROOT, runCli, startCli, type CliResult } from '../helpers/run-cli.js';

// `flow run` on the seed flows, as a user runs them: exit status, the exact
// lines of LOGS.md (timestamps and random flow run names normalised), and
// what the tasks print on stdout.

const HASH = /-[0-9a-f]{8}-(\d+)'/g;
const withoutHashes = (lines: readonly string[]): string[] => lines.map((line) => line.replace(HASH, "-HASH-$1'"));

describe('flow run', { concurrency: true }, () => {
  it('runs parallel-execution with the lines a Prefect user knows', async () => {
    const result = await runCli(['run', 'parallel-execution', '--param', 'stop=5']);
    assert.equal(result.code, 0, result.stderr);
    const lines = withoutHashes(normaliseRunNames(normaliseLines(result.stderr)));
    const expectedStart = [
      "HH:MM:SS.mmm | INFO    | flowrun.engine - Created flow run '<flow-run-1>' for flow 'parallel-execution'",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Starting 'ConcurrentTaskRunner'; submitted tasks will be run concurrently...",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Created task run 'random_num-HASH-0' for task 'random_num'",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Submitted task run 'random_num-HASH-0' for execution.",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Created task run 'random_num-HASH-1' for task 'random_num'",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Submitted task run 'random_num-HASH-1' for execution.",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Created task run 'random_num-HASH-2' for task 'random_num'",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Submitted task run 'random_num-HASH-2' for execution.",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Created task run 'sum_numbers-HASH-0' for task 'sum_numbers'",
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Submitted task run 'sum_numbers-HASH-0' for execution.",
    ];
    assert.deepEqual(lines.slice(0, expectedStart.length), expectedStart);
    assert.deepEqual(lines.slice(expectedStart.length).sort(), [
      "HH:MM:SS.mmm | INFO    | Flow run '<flow-run-1>' - Finished in state Completed('All states completed.')",
      "HH:MM:SS.mmm | INFO    | Task run 'random_num-HASH-0' - Finished in state Completed()",
      "HH:MM:SS.mmm | INFO    | Task run 'random_num-HASH-1' - Finished in state Completed()",
      "HH:MM:SS.mmm | INFO    | Task run 'random_num-HASH-2' - Finished in state Completed()",
      "HH:MM:SS.mmm | INFO    | Task run 'sum_numbers-HASH-0' - Finished in state Completed()",
    ]);
    assert.match(lines.at(-1) ?? '', /Flow run '<flow-run-1>' - Finished in state Completed\('All states completed\.'\)$/);
    const stdout = result.stdout.trim().split('\n');
    const numbers = stdout.slice(0, 3).map((line) => Number(/^Your number is (\d)$/.exec(line)?.[1]));
    assert.equal(numbers.length, 3);
    for (const number of numbers) {
      assert.ok(number >= 0 && number < 5, stdout.join('\n'));
    }
    assert.equal(stdout[3], String(numbers.reduce((a, b) => a + b, 0)));
    assert.match(result.stderr, /Created flow run '[a-z]+-[a-z]+' for flow/);
  });

  it('ends a flow whose task fails Failed, with the stack, NotReady downstream and exit 1', async () => {
    const result = await runCli(['run', 'failing-task']);
    assert.equal(result.code, 1, result.stderr);
    const lines = withoutHashes(normaliseRunNames(normaliseLines(result.stderr)));
    const exceptionAt = lines.indexOf("HH:MM:SS.mmm | ERROR   | Task run 'check_disk-HASH-0' - Encountered exception during execution:");
    assert.ok(exceptionAt > 0, lines.join('\n'));
    assert.equal(lines[exceptionAt + 1], 'Error: disk on fire');
    assert.match(lines[exceptionAt + 2] ?? '', /^ {4}at .*flows\/failing-task\.ts:\d+:\d+\)?$/);
    assert.ok(lines.includes("HH:MM:SS.mmm | ERROR   | Task run 'check_disk-HASH-0' - Finished in state Failed('Task run encountered an exception Error: disk on fire')"));
    assert.ok(
      lines.includes(
        `HH:MM:SS.mmm | ERROR   | Task run 'report-HASH-0' - Finished in state NotReady("Upstream task run 'check_disk-HASH-0' did not reach a 'COMPLETED' state.", type=PENDING)`,
      ),
      lines.join('\n'),
    );
    assert.ok(lines.includes("HH:MM:SS.mmm | INFO    | Task run 'say_hello-HASH-0' - Finished in state Completed()"));
    assert.equal(lines.at(-1), "HH:MM:SS.mmm | ERROR   | Flow run '<flow-run-1>' - Finished in state Failed('1/3 states failed.')");
    assert.equal(result.stdout, 'hello, world\n');
    assert.ok(!result.stdout.includes('disk status'), 'the NotReady task must not run');
  });

  it('runs print-values one task at a time with --runner sequential, and overlapping by default', async () => {
    const [sequential, concurrent] = await Promise.all([
      runCli(['run', 'print-values', '--runner', 'sequential']),
      runCli(['run', 'print-values']),
    ]);
    assert.equal(sequential.code, 0, sequential.stderr);
    assert.equal(concurrent.code, 0, concurrent.stderr);
    assert.equal(sequential.stdout, 'AAAA\nAAAA\nAAAA\nAAAA\nBBBB\nBBBB\nBBBB\nBBBB\n');
    const concurrentLines = concurrent.stdout.trim().split('\n');
    assert.deepEqual([...concurrentLines].sort(), ['AAAA', 'AAAA', 'AAAA', 'AAAA', 'BBBB', 'BBBB', 'BBBB', 'BBBB']);
    assert.notEqual(concurrentLines.slice(0, 4).join(), 'AAAA,AAAA,AAAA,AAAA', 'concurrent runs interleave');
    const sequentialLines = normaliseLines(sequential.stderr);
    assert.match(sequentialLines[1] ?? '', /Starting 'SequentialTaskRunner'; submitted tasks will be run sequentially\.\.\.$/);
    // Sequential: each run is announced when it starts, after the one before it finished.
    const firstFinished = sequentialLines.findIndex((line) => line.includes("print_values-") && line.includes('Finished in state'));
    const secondExecuting = sequentialLines.findIndex((line) => /Executing 'print_values-[0-9a-f]{8}-1' immediately\.\.\.$/.test(line));
    assert.ok(firstFinished > 0 && secondExecuting > firstFinished, sequentialLines.join('\n'));
  });

  it('runs async-values: a direct await, then two task runs at once', async () => {
    const result = await runCli(['run', 'async-values']);
    assert.equal(result.code, 0, result.stderr);
    const stdout = result.stdout.trim().split('\n');
    assert.deepEqual(stdout.slice(0, 2), ['1', '2']);
    assert.deepEqual([...stdout.slice(2)].sort(), ['6', '7', '8', '9', 'a', 'b', 'c', 'd']);
    assert.notEqual(stdout.slice(2, 6).join(''), 'abcd', 'the two Promise.all runs interleave');
    const executing = normaliseLines(result.stderr).filter((line) => line.includes('immediately...'));
    assert.equal(executing.length, 3);
  });

  it('prints no ANSI colour with NO_COLOR or off a terminal, and colour with FORCE_COLOR', async () => {
    const [plain, forced, forcedButNoColorFlag] = await Promise.all([
      runCli(['run', 'parallel-execution', '--param', 'stop=3']),
      runCli(['run', 'parallel-execution', '--param', 'stop=3'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }),
      runCli(['run', 'parallel-execution', '--param', 'stop=3', '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }),
    ]);
    assert.ok(!plain.stderr.includes('\u001b['), plain.stderr);
    assert.ok(!forcedButNoColorFlag.stderr.includes('\u001b['), forcedButNoColorFlag.stderr);
    assert.ok(forced.stderr.includes('\u001b[36mINFO   \u001b[39m'), forced.stderr);
    assert.match(forced.stderr, /Created flow run \u001b\[35m'[a-z]+-[a-z]+'\u001b\[39m for flow \u001b\[1m\u001b\[35m'parallel-execution'/);
    assert.match(forced.stderr, /Finished in state \u001b\[32mCompleted\u001b\[39m\('All states completed\.'\)/);
    // No spinner off a terminal, even with colour forced.
    assert.ok(!forced.stderr.includes('task runs:'), forced.stderr);
  });

  it('prints only lines at or above --log-level', async () => {
    const result = await runCli(['run', 'failing-task', '--log-level', 'WARNING']);
    assert.equal(result.code, 1);
    const lines = normaliseLines(result.stderr).filter((line) => line.startsWith('HH:MM:SS.mmm'));
    assert.ok(lines.length >= 3, result.stderr);
    assert.ok(lines.every((line) => /\| (ERROR|WARNING) /.test(line)), lines.join('\n'));
  });

  it("follows the settings' precedence for the runner: flags and env over the flow's own, the flow's own over the config file's top level", async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-precedence-'));
    try {
      writeFileSync(join(project, 'package.json'), '{"type": "module"}');
      writeFileSync(join(project, '.flowrc.json'), '{"runner": "concurrent", "flowsDir": "jobs"}');
      mkdirSync(join(project, 'jobs'));
      copyFileSync(join(FIXTURES, 'flows/own-runner.ts'), join(project, 'jobs/own-runner.ts'));
      const starting = (result: CliResult): string | undefined => /Starting '(\w+)'/.exec(result.stderr)?.[1];
      const [own, byFlag, byEnv] = await Promise.all([
        runCli(['run', 'own-runner'], { cwd: project }),
        runCli(['run', 'own-runner', '--runner', 'concurrent'], { cwd: project }),
        runCli(['run', 'own-runner'], { cwd: project, env: { FLOW_RUNNER: 'concurrent' } }),
      ]);
      assert.equal(starting(own), 'SequentialTaskRunner', own.stderr);
      assert.equal(starting(byFlag), 'ConcurrentTaskRunner', byFlag.stderr);
      assert.equal(starting(byEnv), 'ConcurrentTaskRunner', byEnv.stderr);
      writeFileSync(join(project, '.flowrc.json'), '{"flowsDir": "jobs", "flows": {"own-runner": {"runner": "concurrent"}}}');
      const byEntry = await runCli(['run', 'own-runner'], { cwd: project });
      assert.equal(starting(byEntry), 'ConcurrentTaskRunner', byEntry.stderr);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('loads a flow by path and by path:export, from outside flowsDir', async () => {
    const byPath = await runCli(['run', 'test/fixtures/flows/greet.ts', '--param', 'name=Ada']);
    assert.equal(byPath.code, 0, byPath.stderr);
    assert.equal(byPath.stdout, 'hello Ada\n');
    const byExport = await runCli(['run', 'test/fixtures/flows/greet.ts:shout', '--params', '{"name": "ada"}']);
    assert.equal(byExport.code, 0, byExport.stderr);
    assert.equal(byExport.stdout, 'HELLO ADA\n');
    assert.match(byExport.stderr, /Created flow run '[a-z]+-[a-z]+' for flow 'shout'/);
  });

  it("gives zod's messages in other languages through the z that flowrun re-exports", async () => {
    const result = await runCli(['run', 'test/fixtures/flows/zod-locales.ts']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      'Entrée invalide : nombre attendu, chaîne de caractères reçu\nUngültige Eingabe: erwartet Zahl, erhalten string\nInvalid input: expected number, received string\n63\n',
    );
  });

  for (const runner of ['concurrent', 'parallel']) {
    it(`delivers 100,000 printed lines, bytes that are not UTF-8 and a 1 MiB line to a redirected file, in order, on the ${runner} runner`, () => {
      const folder = mkdtempSync(join(tmpdir(), 'flowrun-out-'));
      try {
        const file = join(folder, 'out.txt');
        const out = openSync(file, 'w');
        const result = spawnSync(process.execPath, [FLOW_BIN, 'run', 'test/fixtures/flows/loud.ts', '--runner', runner, '--workers', '1'], {
          cwd: REPO_ROOT,
          stdio: ['ignore', out, 'pipe'],
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        });
        closeSync(out);
        assert.equal(result.status, 0, result.stderr);
        const bytes = readFileSync(file);
        const lines = bytes.toString('latin1').split('\n');
        assert.equal(lines.length, 100_004, `${lines.length} lines`);
        assert.ok(
          lines.slice(0, 100_000).every((line, index) => line === `line ${index}`),
          'the numbered lines are not all there, in order',
        );
        assert.deepEqual([...Buffer.from(lines[100_000] ?? '', 'latin1')], [0x62, 0x79, 0x74, 0x65, 0x73, 0x20, 0xff, 0xfe, 0x80]);
        assert.equal(lines[100_001], 'x'.repeat(1_048_576));
        assert.deepEqual(lines.slice(100_002), ['end', '']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  }

  it('waits for every byte a slow reader of its stdout has not taken yet, then exits 0', async () => {
    const result = await runCli(['run', 'test/fixtures/flows/pipe-filler.ts'], { stdoutPausedMs: 1_000 });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    const filler = lines.filter((line) => line.startsWith('x'));
    assert.ok(filler.length > 0 && filler.every((line) => line.length === 8_191));
    assert.deepEqual(lines.slice(filler.length), Array.from({ length: 100 }, (_, index) => `tail ${index}`));
  });
});

describe('log lines written in batches to a file or a pipe', { concurrency: true }, () => {
  it("keeps a task's own prints, to stdout and to stderr, after the lines logged before it and before its Finished line", () => {
    const folder = mkdtempSync(join(tmpdir(), 'flowrun-order-'));
    try {
      const file = join(folder, 'both.txt');
      const both = openSync(file, 'w');
      const result = spawnSync(process.execPath, [FLOW_BIN, 'run', 'test/fixtures/flows/line-order.ts', '--param', 'count=50'], {
        cwd: REPO_ROOT,
        stdio: ['ignore', both, both],
        env: { ...process.env, NO_COLOR: '1' },
      });
      closeSync(both);
      const lines = readFileSync(file, 'utf8').split('\n');
      assert.equal(result.status, 0, lines.join('\n'));
      for (let index = 0; index < 50; index += 1) {
        const submitted = lines.findIndex((line) => new RegExp(`Submitted task run 'shout-[0-9a-f]{8}-${index}' for execution\\.$`).test(line));
        const printed = lines.indexOf(`shout ${index}`);
        const finished = lines.findIndex((line) => new RegExp(`Task run 'shout-[0-9a-f]{8}-${index}' - Finished in state Completed\\(\\)$`).test(line));
        assert.ok(submitted >= 0 && submitted < printed && printed < finished, `shout ${index}: submitted at ${submitted}, printed at ${printed}, finished at ${finished}\n${lines.join('\n')}`);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('writes the lines logged before task code that holds the thread before that code returns', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'flowrun-hold-'));
    try {
      const release = join(folder, 'release');
      const cli = startCli(['run', 'test/fixtures/flows/line-order.ts:holdsThread', '--param', `path=${release}`]);
      await cli.waitFor('stderr', "Executing 'hold-");
      assert.match(cli.stderr(), /Task run 'quick-[0-9a-f]{8}-0' - Finished in state Completed\(\)/);
      writeFileSync(release, '');
      assert.equal(await cli.exited, 0, cli.stderr());
      assert.equal(cli.stdout(), 'released\n');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('hostile task code', () => {
  it('leaves a Crashed line for every live run when task code calls process.exit() on the concurrent runner, and exits 1', async () => {
    const result = await runCli(['run', 'test/fixtures/hostile/exits.ts']);
    assert.equal(result.code, 1, result.stderr);
    const lines = normaliseLines(result.stderr);
    const reason = 'The process exited with code 0 while the run was going (process.exit() in task code?).';
    for (const name of ['bystander', 'quitter']) {
      assert.ok(lines.some((line) => new RegExp(`\\| ERROR {3}\\| Task run '${name}-[0-9a-f]{8}-0' - Finished in state Crashed\\('`).test(line) && line.endsWith(`${reason}')`)), lines.join('\n'));
    }
    assert.equal(lines.at(-1), `HH:MM:SS.mmm | ERROR   | Flow run '${/Flow run '([a-z]+-[a-z]+)'/.exec(result.stderr)?.[1] ?? ''}' - Finished in state Crashed('${reason}')`);
  });

  it('ends a run whose task awaits a promise nothing can settle Crashed, saying so, with exit 1', async () => {
    const result = await runCli(['run', 'test/fixtures/hostile/deadlock.ts']);
    assert.equal(result.code, 1, result.stderr);
    const finished = normaliseLines(result.stderr).filter((line) => line.includes('Finished in state'));
    assert.equal(finished.length, 2, result.stderr);
    for (const line of finished) {
      assert.match(line, /Finished in state Crashed\('The run can never finish: it waits on a promise that nothing will ever settle/);
    }
  });

  for (const runner of ['concurrent', 'parallel']) {
    it(`gives a readable message for a task that throws a string, undefined or a plain object (${runner} runner)`, async () => {
      const result = await runCli(['run', 'test/fixtures/hostile/non-errors.ts', '--runner', runner, '--workers', '1']);
      assert.equal(result.code, 1, result.stderr);
      const finished = normaliseLines(result.stderr).filter((line) => line.includes("Task run 'throws_") && line.includes('Finished in state'));
      assert.deepEqual(finished.map((line) => line.replace(/^.* - Finished in state /, '')).sort(), [
        `Failed('Task run encountered an exception Error: just a string')`,
        `Failed('Task run encountered an exception Thrown value: undefined')`,
        `Failed('Task run encountered an exception Thrown value: {"code":7,"reason":"nope"}')`,
      ]);
    });
  }

  it('logs a promise rejection nobody handled, and the run goes on to complete', async () => {
    const result = await runCli(['run', 'test/fixtures/hostile/unhandled-rejection.ts']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'still here\n');
    assert.match(result.stderr, /\| ERROR {3}\| flowrun\.engine - A promise was rejected and nothing handled it: Error: nobody listens\n/);
    assert.match(result.stderr, /Finished in state Completed\('All states completed\.'\)\n$/);
  });
});
