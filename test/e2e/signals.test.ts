import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { FLOW_BIN, normaliseLines, REPO_ROOT } from '../helpers/run-cli.js';

// A signal mid-run: every live task run and the flow run end Cancelled with
// Prefect's message, and the CLI exits 128 + the signal's number.
const interruptMidRun = (signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOW_BIN, 'run', 'print-values'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Wait for the first printed value: both task runs are then running.
    child.stdout.setEncoding('utf8').on('data', () => {
      if (!signalled) {
        signalled = true;
        child.kill(signal);
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit after ${signal}:\n${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });

describe('signals', { concurrency: true }, () => {
  it("runs the flow's onCancellation hooks after SIGINT, then exits 130", async () => {
    const child = spawn(process.execPath, [FLOW_BIN, 'run', 'test/fixtures/hostile/cancel-hook.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('waiting')) {
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(stdout, 'waiting\nhook saw Cancelled\n');
    const lines = normaliseLines(stderr);
    assert.ok(lines.some((line) => line.endsWith("Running hook 'noteCancel' in response to entering state 'Cancelled'")), stderr);
    assert.ok(lines.some((line) => /Flow run '[a-z]+-[a-z]+' - Finished in state Cancelled\('Execution was aborted by an interrupt signal\.'\)$/.test(line)), stderr);
  });

  for (const runner of ['concurrent', 'parallel']) {
    it(`SIGTERM ends a running shell command and everything it started, on the ${runner} runner`, async () => {
      const marker = `4${Math.floor(Math.random() * 1000)}.25`;
      const child = spawn(process.execPath, [FLOW_BIN, 'run', 'test/fixtures/many/long-command.ts', '--runner', runner, '--param', `marker=${marker}`], {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve) => {
        const check = (): void => (stderr.includes(' - started') ? resolve() : undefined);
        child.stderr.on('data', check);
      });
      child.kill('SIGTERM');
      assert.equal(await exited, 143, stderr);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const left = spawnSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).stdout.trim();
      assert.equal(left, '', `processes outlived the CLI: ${left}`);
    });
  }

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
