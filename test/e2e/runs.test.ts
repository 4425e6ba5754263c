import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { runCli, startCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// `flow run` records every run in <storeDir>/history.db, and `flow runs`
// reads it back: through the real CLI, in a project of the test's own.

const FLOWS: Record<string, string> = {
  'greet.ts': `import { flow, task, getRunLogger } from 'flowrun';
export const hello = task('hello', (name: string) => { getRunLogger().info(\`hello \${name}\`); return name.length; });
export default flow({ name: 'greet' }, async () => {
  const sizes = await Promise.all(hello.map(['ada', 'grace', 'alan']));
  return sizes.reduce((sum, size) => sum + size, 0);
});
`,
  'broken.ts': `import { flow, task } from 'flowrun';
export const boom = task('boom', () => { throw new Error('kaput'); });
export default flow({ name: 'broken' }, async () => { await boom(); });
`,
  'stuck.ts': `import { flow, task } from 'flowrun';
export const wait = task('wait', async () => { console.log('waiting'); await new Promise((resolve) => setTimeout(resolve, 60_000)); });
export default flow({ name: 'stuck' }, async () => { await wait(); });
`,
  'secretive.ts': `import { flow, task, getRunLogger, secret, z } from 'flowrun';
export const call = task('call_api', (token: string) => {
  getRunLogger().info(\`calling with \${token}\`);
  throw new Error(\`the API refused \${token}\`);
});
export default flow({ name: 'secretive', params: z.object({ token: secret(), region: z.string() }) }, async ({ token }) => { await call(token); });
`,
  'many.ts': `import { flow, task } from 'flowrun';
export const addOne = task('add_one', (x: number) => x + 1);
export default flow({ name: 'many' }, async () => {
  const numbers = Array.from({ length: 1000 }, (_, index) => index);
  return (await Promise.all(addOne.map(numbers))).length;
});
`,
  // More task runs than the recorder writes itself: its writer thread writes them.
  'large.ts': `import { flow, task } from 'flowrun';
export const double = task('double', (x: number) => x * 2);
export default flow({ name: 'large' }, async () => (await Promise.all(double.map(Array.from({ length: 3000 }, (_, index) => index)))).length);
`,
};

// The records of a console output (a line and the lines of its stack) at ERROR or above.
const onlyErrors = (stderr: string): string =>
  stderr
    .split(/(?=^\d\d:\d\d:\d\d\.\d{3} \| )/m)
    .filter((record) => /^[\d:.]+ \| (ERROR|CRITICAL)/.test(record))
    .join('');

const makeProject = (test: TestContext): string => {
  const project = makeTempDir(test, 'flowrun-runs-');
  mkdirSync(join(project, 'flows'));
  for (const [file, source] of Object.entries(FLOWS)) {
    writeFileSync(join(project, 'flows', file), source);
  }
  return project;
};

const flowIn = (project: string) => (args: readonly string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: project, env, timeoutMs: 60_000 });

interface RunJson {
  id: string;
  name: string;
  flow: string;
  state: { type: string; name: string; message: string | null };
  parameters: Record<string, unknown>;
  runner: string;
  startTime: string;
  endTime: string | null;
  runCount: number;
  parentId: string | null;
  taskRuns?: { id: string; name: string; task: string; state: { type: string }; startTime: string; endTime: string; runCount: number }[];
}

describe('flow runs', { concurrency: true }, () => {
  it('lists, shows and reads back the runs that flow run recorded', async (t) => {
    const flow = flowIn(makeProject(t));
    const good = await flow(['run', 'greet']);
    assert.equal(good.code, 0, good.stderr);
    const bad = await flow(['run', 'broken']);
    assert.equal(bad.code, 1, bad.stderr);

    const listed = await flow(['runs', 'ls']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID {8}FLOW +NAME +STATE +STARTED +DURATION$/);
    assert.match(lines[1] ?? '', /^[0-9a-f]{8} {2}broken +[a-z]+-[a-z]+ +Failed +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d+\.\d\ds$/);
    assert.match(lines[2] ?? '', /^[0-9a-f]{8} {2}greet +[a-z]+-[a-z]+ +Completed +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d+\.\d\ds$/);
    assert.equal(lines.length, 3);

    const json = JSON.parse((await flow(['runs', 'ls', '--json'])).stdout) as RunJson[];
    assert.deepEqual(json.map((run) => [run.flow, run.state.type, run.runCount, run.parentId, run.runner]), [
      ['broken', 'FAILED', 1, null, 'ConcurrentTaskRunner'],
      ['greet', 'COMPLETED', 1, null, 'ConcurrentTaskRunner'],
    ]);
    const [broken, greet] = json;
    assert.ok(broken && greet);
    assert.match(greet.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(greet.endTime !== null && greet.endTime >= greet.startTime);
    assert.equal(broken.state.message, 'Flow run encountered an exception: Error: kaput');

    const onlyFailed = JSON.parse((await flow(['runs', 'ls', '--state', 'failed', '--json'])).stdout) as RunJson[];
    assert.deepEqual(onlyFailed.map((run) => run.id), [broken.id]);

    // By a 4-character prefix of its id, and by its name.
    for (const reference of [greet.id.slice(0, 4), greet.name]) {
      const shown = await flow(['runs', 'show', reference, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      const details = JSON.parse(shown.stdout) as RunJson;
      assert.equal(details.id, greet.id);
      assert.deepEqual(details.taskRuns?.map((run) => [run.task, run.state.type]), [
        ['hello', 'COMPLETED'],
        ['hello', 'COMPLETED'],
        ['hello', 'COMPLETED'],
      ]);
    }
    const text = await flow(['runs', 'show', greet.id]);
    assert.match(text.stdout, new RegExp(`^Flow run '${greet.name}'\\n`));
    assert.match(text.stdout, /\n {2}state +Completed\(\)\n/);
    assert.match(text.stdout, /\nTask runs \(3\)\n {2}NAME +STATE +STARTED +DURATION +ATTEMPTS +MESSAGE\n {2}hello-[0-9a-f]{8}-0 +Completed +\d\d:\d\d:\d\d\.\d{3} +\d+\.\d\ds +1\n/);

    // The lines of the run, as it printed them.
    const logs = await flow(['runs', 'logs', greet.id]);
    assert.equal(logs.stdout, good.stderr);
    const errors = await flow(['runs', 'logs', broken.id.slice(0, 6), '--level', 'error']);
    assert.equal(errors.stdout, onlyErrors(bad.stderr));
    assert.match(errors.stdout, /Error: kaput\n/);
    const tail = await flow(['runs', 'logs', greet.name, '--tail', '2']);
    assert.equal(tail.stdout, good.stderr.split('\n').slice(-3).join('\n'));
  });

  it('says in one line, exit 2, that a run matches nothing; with no history yet, says so and exits 0', async (t) => {
    const flow = flowIn(makeProject(t));
    const empty = await flow(['runs', 'ls']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, 'No runs recorded yet: .flow/history.db does not exist (flow run records every run there).\n');
    assert.equal((await flow(['run', 'greet'])).code, 0);
    const missing = await flow(['runs', 'show', 'no-such-run']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^error: no flow run 'no-such-run' in \.flow\/history\.db; `flow runs ls` lists them\.\n$/);
  });

  it('keeps a secret parameter out of the database and of everything flow runs prints', async (t) => {
    const project = makeProject(t);
    const flow = flowIn(project);
    const token = 'tok-5f0c9e1d2b7a';
    const result = await flow(['run', 'secretive', '--param', `token=${token}`, '--param', 'region=eu', '--log-level', 'DEBUG']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /calling with \*{8}/);
    const outputs = [result.stdout, result.stderr];
    const [run] = JSON.parse((await flow(['runs', 'ls', '--json'])).stdout) as RunJson[];
    assert.ok(run);
    assert.deepEqual(run.parameters, { token: '********', region: 'eu' });
    for (const args of [['runs', 'ls'], ['runs', 'ls', '--json'], ['runs', 'show', run.id], ['runs', 'show', run.id, '--json'], ['runs', 'logs', run.id]]) {
      const read = await flow(args);
      assert.equal(read.code, 0, read.stderr);
      outputs.push(read.stdout, read.stderr);
    }
    assert.match(outputs.join(''), /the API refused \*{8}/);
    for (const output of outputs) {
      assert.ok(!output.includes(token), output);
    }
    const store = join(project, '.flow');
    for (const file of readdirSync(store)) {
      assert.ok(!readFileSync(join(store, file)).includes(token), `${file} holds the secret`);
    }
  });

  it('prunes finished runs older than a duration with all they own, and gives the space back', async (t) => {
    const project = makeProject(t);
    const flow = flowIn(project);
    assert.equal((await flow(['run', 'many', '--log-level', 'WARNING'])).code, 0);
    assert.equal((await flow(['run', 'greet'])).code, 0);
    const database = join(project, '.flow', 'history.db');
    const kept = await flow(['runs', 'prune', '--older-than', '30d']);
    assert.equal(kept.stdout, 'Deleted 0 flow runs (with 0 subflow runs and 0 task runs) finished more than 30d ago from .flow/history.db (' + kept.stdout.split('(').at(-1));
    const dry = await flow(['runs', 'prune', '--older-than', '0s', '--dry-run']);
    assert.equal(dry.stdout, 'Would delete 2 flow runs (with 0 subflow runs and 1,003 task runs) finished more than 0s ago from .flow/history.db.\n');
    assert.equal((JSON.parse((await flow(['runs', 'ls', '--json'])).stdout) as RunJson[]).length, 2);
    const sizeBefore = readFileSync(database).length;
    const pruned = await flow(['runs', 'prune', '--older-than', '0s']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^Deleted 2 flow runs \(with 0 subflow runs and 1,003 task runs\) finished more than 0s ago from \.flow\/history\.db \(\d+\.\d MB -> \d+\.\d MB\)\.\n$/);
    assert.equal((await flow(['runs', 'ls'])).stdout, 'No flow runs in .flow/history.db yet.\n');
    assert.ok(readFileSync(database).length < sizeBefore, 'the file did not shrink');
    const bad = await flow(['runs', 'prune', '--older-than', 'a month']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'error: --older-than must be a duration such as 30d, 12h, 90m or 45s, got "a month".\n');
  });

  it('records nothing with --no-history or FLOW_HISTORY=false', async (t) => {
    const project = makeProject(t);
    const flow = flowIn(project);
    assert.equal((await flow(['run', 'greet', '--no-history'])).code, 0);
    assert.equal((await flow(['run', 'greet'], { FLOW_HISTORY: 'false' })).code, 0);
    assert.equal(existsSync(join(project, '.flow', 'history.db')), false);
  });

  it('runs a flow whose history is corrupt, with one WARNING and its usual lines and exit status', async (t) => {
    const project = makeProject(t);
    const flow = flowIn(project);
    const clean = await flow(['run', 'broken', '--no-history']);
    mkdirSync(join(project, '.flow'));
    const garbage = 'not a database at all, just text where the history should be\n'.repeat(100);
    writeFileSync(join(project, '.flow', 'history.db'), garbage);
    const result = await flow(['run', 'broken']);
    assert.equal(result.code, clean.code);
    const lines = result.stderr.split('\n').filter(Boolean);
    const warnings = lines.filter((line) => line.includes('flowrun.history'));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0] ?? '', /\| WARNING \| flowrun\.history - The run history \.flow\/history\.db cannot be used \(SQLITE_NOTADB: file is not a database\); this run is not recorded\.$/);
    const normalise = (text: string): string[] =>
      text
        .split('\n')
        .filter((line) => line.length > 0 && !line.includes('flowrun.history'))
        .map((line) => line.replace(/^[\d:.]+ \| /, '').replace(/'[a-z]+-[a-z]+'/g, "'<run>'"));
    assert.deepEqual(normalise(result.stderr), normalise(clean.stderr));
    assert.equal(readFileSync(join(project, '.flow', 'history.db'), 'utf8'), garbage);
  });

  it('shows a run whose process was killed as Crashed, naming its process, from the next command on', async (t) => {
    const project = makeProject(t);
    const cli = startCli(['run', 'stuck'], { cwd: project, timeoutMs: 60_000 });
    await cli.waitFor('stdout', 'waiting');
    // Task runs are written in batches: wait until the running one is.
    const [started] = JSON.parse((await flowIn(project)(['runs', 'ls', '--json'])).stdout) as RunJson[];
    assert.equal(started?.state.type, 'RUNNING');
    const recorded = async (): Promise<boolean> => {
      const shown = await flowIn(project)(['runs', 'show', started.id, '--json']);
      return shown.code === 0 && (JSON.parse(shown.stdout) as RunJson).taskRuns?.[0]?.state.type === 'RUNNING';
    };
    while (!(await recorded())) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pid = cli.child.pid;
    cli.child.kill('SIGKILL');
    await cli.exited;
    const listed = await flowIn(project)(['runs', 'ls', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const [run] = JSON.parse(listed.stdout) as RunJson[];
    assert.equal(run?.state.type, 'CRASHED');
    assert.match(run.state.message ?? '', new RegExp(`^The process that ran it \\(pid ${pid} on .+\\) ended without finishing it\\.$`));
    assert.notEqual(run.endTime, null);
    const shown = JSON.parse((await flowIn(project)(['runs', 'show', run.id, '--json'])).stdout) as RunJson;
    assert.deepEqual(shown.taskRuns?.map((taskRun) => taskRun.state.type), ['CRASHED']);
  });

  it('gives back every line of a run large enough for the writer thread, to the letter, and every task run', async (t) => {
    const project = makeProject(t);
    const flow = flowIn(project);
    const run = await flow(['run', 'large']);
    assert.equal(run.code, 0, run.stderr);
    const [recorded] = JSON.parse((await flow(['runs', 'ls', '--json'])).stdout) as RunJson[];
    assert.ok(recorded);
    const logs = await flow(['runs', 'logs', recorded.id]);
    assert.equal(logs.code, 0, logs.stderr);
    // Created, submitted and finished of each task run; the flow run's created, starting and finished; the last newline.
    assert.equal(logs.stdout.split('\n').length, 3 * 3000 + 3 + 1);
    assert.equal(logs.stdout, run.stderr);
    const shown = JSON.parse((await flow(['runs', 'show', recorded.id, '--json'])).stdout) as RunJson;
    assert.equal(shown.taskRuns?.length, 3000);
    assert.ok(shown.taskRuns?.every((taskRun) => taskRun.state.type === 'COMPLETED' && taskRun.runCount === 1));
  });

  it('records four runs started at the same moment whole, each of 1,000 task runs, with no "database is locked"', async (t) => {
    const project = makeProject(t);
    const flow = flowIn(project);
    const results = await Promise.all([1, 2, 3, 4].map(() => flow(['run', 'many', '--log-level', 'WARNING'])));
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr + result.stdout, /locked|SQLITE_BUSY|flowrun\.history/);
    }
    const runs = JSON.parse((await flow(['runs', 'ls', '--json'])).stdout) as RunJson[];
    assert.equal(runs.length, 4);
    for (const run of runs) {
      assert.equal(run.state.type, 'COMPLETED');
      const shown = JSON.parse((await flow(['runs', 'show', run.id, '--json'])).stdout) as RunJson;
      assert.equal(shown.taskRuns?.length, 1000);
      assert.ok(shown.taskRuns?.every((taskRun) => taskRun.state.type === 'COMPLETED'));
    }
  });
});
