import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { runCli } from '../helpers/run-cli.js';

// `flow run --timeout SECONDS`: a deadline for the whole run. A task waiting
// on a socket that never answers must not hang a crontab: at the deadline
// the run ends TimedOut, its task runs Cancelled, its shell commands gone,
// exit 1.

const flowSource = (sleepSeconds: string): string => `import { connect, createServer } from 'node:net';
import { flow, task, shellTask } from 'flowrun';
export const ask = task('ask', async (port: number) => new Promise((resolve) => { const socket = connect(port, '127.0.0.1'); socket.on('data', resolve); }));
export const sleeper = shellTask({ name: 'sleeper', command: 'sleep ${sleepSeconds}' });
export const done = task('done', () => 1);
export default flow({ name: 'stuck' }, async () => {
  // A server that accepts and never answers.
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await done();
  return [sleeper.submit(), ask.submit(port)];
});
`;

// Each test's shell command its own, for the tests run at once: pgrep must find only this one's.
let sleeps = 0;

const makeProject = (test: TestContext): { project: string; sleeper: string } => {
  sleeps += 1;
  const sleeper = `sleep 53.${String(sleeps).padStart(2, '0')}`;
  const project = makeFlowProject(test, 'timeout-project', { 'stuck.ts': flowSource(sleeper.slice('sleep '.length)) });
  return { project, sleeper };
};

const processesLeft = (command: string): string => spawnSync('pgrep', ['-f', command], { encoding: 'utf8' }).stdout.trim();

// From the run's first line to its last: the deadline and a second's grace
// to stop. Start-up is left out: on a loaded machine it alone took seconds.
const MOST_RUN_SECONDS = 1 + 1;

const secondsOfDay = (line: string | undefined): number => {
  const [hours = 0, minutes = 0, seconds = 0] = (/^(\d\d):(\d\d):(\d\d\.\d{3}) /.exec(line ?? '')?.slice(1) ?? []).map(Number);
  return hours * 3600 + minutes * 60 + seconds;
};

describe('flow run --timeout', { concurrency: true }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    it(`ends a run stuck on a socket that never answers TimedOut at its deadline, leaving no process (${runner} runner)`, async (t) => {
      const { project, sleeper } = makeProject(t);
      // The shell command sleeps 53 s and the socket never answers: a run that waited for either would outlive the 30 s timeout.
      const result = await runCli(['run', 'stuck', '--timeout', '1', '--runner', runner], { cwd: project, timeoutMs: 30_000 });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      const runSeconds = secondsOfDay(lines.at(-1)) - secondsOfDay(lines[0]);
      assert.ok(runSeconds < MOST_RUN_SECONDS, `the run took ${runSeconds.toFixed(3)} s:\n${result.stderr}`);
      assert.match(lines.at(-1) ?? '', /Flow run '[a-z]+-[a-z]+' - Finished in state TimedOut\('Flow run exceeded timeout of 1 second\(s\)', type=FAILED\)$/);
      assert.ok(lines.some((line) => /\| ERROR {3}\| Flow run '[a-z]+-[a-z]+' - Flow run exceeded timeout of 1 second\(s\)$/.test(line)), result.stderr);
      assert.ok(lines.some((line) => /Task run 'ask-[0-9a-f]{8}-0' - Finished in state Cancelled\('Flow run exceeded timeout of 1 second\(s\)'\)$/.test(line)), result.stderr);
      assert.ok(lines.some((line) => /Task run 'done-[0-9a-f]{8}-0' - Finished in state Completed\(\)$/.test(line)), result.stderr);
      assert.equal(processesLeft(sleeper), '');
      // The history has it TimedOut too.
      const shown = await runCli(['runs', 'ls', '--json'], { cwd: project });
      assert.equal((JSON.parse(shown.stdout) as { state: { name: string } }[])[0]?.state.name, 'TimedOut');
    });
  }

  it('takes FLOW_TIMEOUT and a per-flow timeoutSeconds in the config, and refuses what is not a positive number', async (t) => {
    const { project } = makeProject(t);
    const fromEnv = await runCli(['run', 'stuck', '--no-history'], { cwd: project, env: { FLOW_TIMEOUT: '0.5' }, timeoutMs: 30_000 });
    assert.equal(fromEnv.code, 1);
    assert.match(fromEnv.stderr, /TimedOut\('Flow run exceeded timeout of 0\.5 second\(s\)', type=FAILED\)\n$/);
    writeFileSync(join(project, '.flowrc.json'), JSON.stringify({ flows: { stuck: { timeoutSeconds: 0.5 } } }));
    const fromConfig = await runCli(['run', 'stuck', '--no-history'], { cwd: project, timeoutMs: 30_000 });
    assert.equal(fromConfig.code, 1);
    assert.match(fromConfig.stderr, /exceeded timeout of 0\.5 second\(s\)', type=FAILED\)\n$/);
    const wrong = await runCli(['run', 'stuck', '--timeout', 'soon'], { cwd: project });
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, 'error: --timeout must be a positive number of seconds, or null for none, got "soon".\n');
  });
});
