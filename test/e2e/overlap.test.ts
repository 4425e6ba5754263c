import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { FLOW_BIN, runCli } from '../helpers/run-cli.js';

// `--overlap skip|wait`: two crontab lines racing for the same minute run
// the flow once; a run that waits starts when the other ends; a run whose
// process died holds nobody back.

const FLOW = `import { appendFileSync, existsSync } from 'node:fs';
import { flow, task } from 'flowrun';
const note = (text: string): void => appendFileSync(new URL('../runs.log', import.meta.url), text + ' ' + process.pid + ' ' + Date.now() + '\\n');
// Naps ms, or until the test writes the file 'release'.
export const nap = task('nap', async (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until && !existsSync(new URL('../release', import.meta.url))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
export default flow({ name: 'nightly' }, async ({ ms = 1500 }: { ms?: number }) => {
  note('start');
  await nap(ms);
  note('end');
});
`;

const makeProject = (test: TestContext): string => makeFlowProject(test, 'overlap-project', { 'nightly.ts': FLOW });

interface Note {
  readonly what: string;
  readonly pid: number;
  readonly at: number;
}

const notes = (project: string): Note[] =>
  readFileSync(join(project, 'runs.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [what = '', pid = '0', at = '0'] = line.split(' ');
      return { what, pid: Number(pid), at: Number(at) };
    });

/** Resolves once a run of the project has begun its flow. */
const untilStarted = async (project: string): Promise<void> => {
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (readFileSync(join(project, 'runs.log'), { encoding: 'utf8', flag: 'a+' }).includes('start')) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no run began within 30 s');
};

describe('flow run --overlap', { concurrency: true }, () => {
  it('skip: of five runs started at the same moment exactly one runs; the others say who holds the flow and exit 0', async (t) => {
    const project = makeProject(t);
    // The one that runs holds on (30 s at most) until the other four have ended: on a loaded machine a start-up can outlast a short run.
    let ended = 0;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        runCli(['run', 'nightly', '--overlap', 'skip', '--log-level', 'WARNING', '--params', '{"ms": 30000}'], { cwd: project, timeoutMs: 60_000 }).then((result) => {
          ended += 1;
          if (ended === 4) {
            writeFileSync(join(project, 'release'), '');
          }
          return result;
        }),
      ),
    );
    assert.deepEqual(
      results.map((result) => result.code),
      [0, 0, 0, 0, 0],
    );
    const ran = notes(project);
    assert.deepEqual(
      ran.map((note) => note.what),
      ['start', 'end'],
    );
    const skipped = results.filter((result) => result.stderr !== '');
    assert.equal(skipped.length, 4, results.map((result) => result.stderr).join('\n'));
    for (const result of skipped) {
      assert.match(
        result.stderr,
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| WARNING \\| flowrun\\.overlap - Flow 'nightly' is already running in this project \\((flow run '[a-z]+-[a-z]+', )?pid ${ran[0]?.pid}, since \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\); with --overlap skip this run does not start\\.\\n$`),
      );
    }
    // The skipped runs are not in the history.
    const listed = await runCli(['runs', 'ls', '--json'], { cwd: project });
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 1);
  });

  it('wait: starts when the run going ends (FLOW_OVERLAP), and allow lets both go at once', async (t) => {
    const project = makeProject(t);
    const [first, second] = await Promise.all([
      runCli(['run', 'nightly'], { cwd: project, env: { FLOW_OVERLAP: 'wait' } }),
      // Once the first has begun (start-up takes seconds on a loaded machine).
      untilStarted(project).then(() => runCli(['run', 'nightly'], { cwd: project, env: { FLOW_OVERLAP: 'wait' } })),
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /\| INFO {4}\| flowrun\.overlap - Flow 'nightly' is already running in this project \(flow run '[a-z]+-[a-z]+', pid \d+, since [\d:.]+\); with --overlap wait this run starts when it ends\.\n/);
    const waited = notes(project);
    assert.deepEqual(
      waited.map((note) => note.what),
      ['start', 'end', 'start', 'end'],
    );
    assert.ok((waited[2]?.at ?? 0) >= (waited[1]?.at ?? Infinity), JSON.stringify(waited));

    writeFileSync(join(project, 'runs.log'), '');
    await Promise.all([runCli(['run', 'nightly'], { cwd: project }), runCli(['run', 'nightly', '--overlap', 'allow'], { cwd: project })]);
    const both = notes(project);
    assert.deepEqual(
      both.map((note) => note.what).slice(0, 2),
      ['start', 'start'],
    );
  });

  it('a run whose process was killed holds nobody back', async (t) => {
    const project = makeProject(t);
    const victim = spawn(process.execPath, [FLOW_BIN, 'run', 'nightly', '--overlap', 'skip', '--params', '{"ms": 30000}'], { cwd: project, stdio: 'ignore' });
    t.after(() => victim.kill('SIGKILL'));
    await untilStarted(project);
    const held = await runCli(['run', 'nightly', '--overlap', 'skip'], { cwd: project });
    assert.match(held.stderr, /with --overlap skip this run does not start/);
    victim.kill('SIGKILL');
    await new Promise((resolve) => victim.once('exit', resolve));
    const after = await runCli(['run', 'nightly', '--overlap', 'skip', '--params', '{"ms": 10}'], { cwd: project });
    assert.equal(after.code, 0, after.stderr);
    assert.ok(!after.stderr.includes('does not start'), after.stderr);
    assert.equal(notes(project).filter((note) => note.what === 'end').length, 1);
  });
});
