import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { FIXTURES, normaliseLines, REPO_ROOT, runCli, startCli } from '../helpers/run-cli.js';

// Timeouts and cancellation stop what they can, and nothing of a run shows
// after its last line.

const runScript = (path: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path} did not finish\n${stderr}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

describe('stopping runs', { concurrency: true }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    it(`ends a synchronous task past its deadline TimedOut on the ${runner} runner, exit 1`, async () => {
      const result = await runCli(['run', 'test/fixtures/flows/busy-past-timeout.ts', '--runner', runner]);
      assert.equal(result.code, 1, result.stderr);
      const lines = normaliseLines(result.stderr);
      assert.ok(
        lines.some((line) => /^HH:MM:SS\.mmm \| ERROR {3}\| Task run 'busy-[0-9a-f]{8}-0' - Finished in state TimedOut\('Task run exceeded timeout of 0\.5 second\(s\)', type=FAILED\)$/.test(line)),
        result.stderr,
      );
      assert.match(lines.at(-1) ?? '', /Finished in state Failed\('1\/1 states failed\.'\)$/);
    });
  }

  it('refuses a task run submitted by a try that went on after its flow run ended, and prints nothing after the last line', async () => {
    const result = await runScript(`${FIXTURES}/scripts/late-after-end.ts`);
    assert.equal(result.code, 0, result.stderr);
    const lines = normaliseLines(result.stderr);
    assert.match(lines.at(-1) ?? '', /^HH:MM:SS\.mmm \| ERROR {3}\| Flow run '[a-z]+-[a-z]+' - Finished in state Failed\('1\/1 states failed\.'\)$/, result.stderr);
    assert.ok(!result.stderr.includes('say_hello'), result.stderr);
    const outcomes = result.stdout.trim().split('\n');
    assert.match(outcomes[0] ?? '', /^flow failed: /, result.stdout);
    const refusals = outcomes.filter((line) => line.startsWith('refused: '));
    // Both tries of the task went on past their deadline; both were refused.
    assert.equal(refusals.length, 2, result.stdout);
    for (const refusal of refusals) {
      assert.match(refusal, /^refused: flow run '[a-z]+-[a-z]+' has already finished in state Failed\('1\/1 states failed\.'\); say_hello\.submit\(\) cannot start a run/);
    }
  });

  it('aborts the signal of a running task on SIGINT, so that code waiting on it hears why', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/listens-for-abort.ts']);
    await cli.waitFor('stdout', 'waiting');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    assert.equal(cli.stdout(), 'waiting\naborted: Execution was aborted by an interrupt signal.\n');
  });

  it('says which onCancellation hook the grace period cut off', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/slow-hook.ts']);
    await cli.waitFor('stdout', 'waiting');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    const lines = normaliseLines(cli.stderr());
    const cutOff = lines.filter((line) => line.includes('cut off'));
    assert.deepEqual(
      cutOff.map((line) => line.replace(/'[a-z]+-[a-z]+'/, "'<run>'")),
      ["HH:MM:SS.mmm | WARNING | Flow run '<run>' - Hook 'slowHook' did not finish within the 3 second(s) given to onCancellation hooks after a signal, and was cut off."],
    );
  });

  it('ends a flow run waiting for its retry Cancelled on SIGINT, with its last line', async () => {
    const cli = startCli(['run', 'test/fixtures/hostile/flow-retry-wait.ts']);
    await cli.waitFor('stderr', 'will attempt to run again');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.stderr());
    const lines = normaliseLines(cli.stderr());
    assert.match(lines.at(-1) ?? '', /^HH:MM:SS\.mmm \| ERROR {3}\| Flow run '[a-z]+-[a-z]+' - Finished in state Cancelled\('Execution was aborted by an interrupt signal\.'\)$/, cli.stderr());
  });
});
