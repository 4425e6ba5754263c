import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { normaliseLines, startCli } from '../helpers/run-cli.js';

// A signal mid-run: every live task run and the flow run end Cancelled with
// Prefect's message, and the CLI exits 128 + the signal's number.
const interruptMidRun = async (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'): Promise<{ code: number | null; stderr: string }> => {
  const cli = startCli(['run', 'print-values']);
  // The first printed value: both task runs are then running.
  await cli.waitFor('stdout', 'AAAA');
  cli.child.kill(signal);
  return { code: await cli.exited, stderr: cli.stderr() };
};

describe('signals', { concurrency: true }, () => {
  it("runs the flow's onCancellation hooks after SIGINT, then exits 130", async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/cancel-hook.ts']);
    await cli.waitFor('stdout', 'waiting');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    const stdout = cli.stdout();
    const stderr = cli.stderr();
    assert.equal(stdout, 'waiting\nhook saw Cancelled\n');
    const lines = normaliseLines(stderr);
    assert.ok(lines.some((line) => line.endsWith("Running hook 'noteCancel' in response to entering state 'Cancelled'")), stderr);
    assert.ok(lines.some((line) => /Flow run '[a-z]+-[a-z]+' - Finished in state Cancelled\('Execution was aborted by an interrupt signal\.'\)$/.test(line)), stderr);
  });

  for (const runner of ['concurrent', 'parallel']) {
    it(`SIGTERM ends a running shell command and everything it started, on the ${runner} runner`, async () => {
      const marker = `4${Math.floor(Math.random() * 1000)}.25`;
      const cli = startCli(['run', 'test/fixtures/many/long-command.ts', '--runner', runner, '--param', `marker=${marker}`]);
      await cli.waitFor('stderr', ' - started');
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 143, cli.stderr());
      await new Promise((resolve) => setTimeout(resolve, 300));
      const left = spawnSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).stdout.trim();
      assert.equal(left, '', `processes outlived the CLI: ${left}`);
    });
  }

  it('ends a run waiting for its retry at once on SIGINT: the task run and the flow run Cancelled, exit 130', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/retry-wait.ts']);
    await cli.waitFor('stderr', 'Retry 1/2 will start 30 second(s) from now');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    const lines = normaliseLines(cli.stderr());
    const cancelled = lines.filter((line) => line.endsWith("Finished in state Cancelled('Execution was aborted by an interrupt signal.')"));
    assert.equal(cancelled.length, 2, lines.join('\n'));
    assert.match(cancelled[0] ?? '', /Task run 'flaky-[0-9a-f]{8}-0' - /);
    assert.equal(cli.stdout(), 'failed once\n');
  });

  it('ends a task that never settles, its subflow and the parent flow Cancelled on SIGTERM, exit 143', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/subflow-hang.ts']);
    await cli.waitFor('stdout', 'inside the subflow');
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 143, cli.stderr());
    const lines = normaliseLines(cli.stderr());
    const cancelled = lines.filter((line) => line.endsWith("Finished in state Cancelled('Execution was aborted by a termination signal.')"));
    assert.equal(cancelled.length, 3, lines.join('\n'));
    assert.match(cancelled[0] ?? '', /Task run 'hang-[0-9a-f]{8}-0' - /);
  });

  it('exits 130 quietly on SIGINT while the flow module is still loading, before any run', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/slow-import.ts']);
    await cli.waitFor('stdout', 'loading');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    assert.equal(cli.stderr(), '');
  });

  it('treats SIGHUP (a closed terminal) as SIGTERM: the runs end Cancelled, exit 129', async () => {
    const result = await interruptMidRun('SIGHUP');
    assert.equal(result.code, 129, result.stderr);
    const cancelled = normaliseLines(result.stderr).filter((line) => line.endsWith("Finished in state Cancelled('Execution was aborted by a termination signal.')"));
    assert.equal(cancelled.length, 3, result.stderr);
  });

  it('exits at once on a second signal, without waiting for a slow onCancellation hook', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/slow-hook.ts']);
    await cli.waitFor('stdout', 'waiting');
    cli.child.kill('SIGINT');
    await cli.waitFor('stdout', 'hook started');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    // Without the second signal the CLI would wait out the hooks' grace of
    // 3 s, then exit 130 too, saying it cut the hook off: it must not get there.
    assert.doesNotMatch(cli.stderr(), /was cut off/);
  });

  for (const [signal, code, message] of [
    ['SIGINT', 130, 'Execution was aborted by an interrupt signal.'],
    ['SIGTERM', 143, 'Execution was aborted by a termination signal.'],
  ] as const) {
    it(`${signal} cancels every live run and exits ${code}`, async () => {
      const result = await interruptMidRun(signal);
      assert.equal(result.code, code, result.stderr);
      const lines = normaliseLines(result.stderr);
      const cancelled = lines.filter((line) => line.endsWith(`Finished in state Cancelled('${message}')`));
      assert.equal(cancelled.length, 3, lines.join('\n'));
      assert.match(cancelled[0] ?? '', /^HH:MM:SS\.mmm \| ERROR {3}\| Task run 'print_values-[0-9a-f]{8}-[01]' - /);
      assert.match(cancelled[2] ?? '', /^HH:MM:SS\.mmm \| ERROR {3}\| Flow run '[a-z]+-[a-z]+' - /);
      assert.ok(!lines.some((line) => line.includes('Finished in state Completed')), lines.join('\n'));
    });
  }
});
