import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// `flow runs retry`: a failed run again, as the same flow run, with the
// task runs that completed before given back from the history rather than
// called. Each task appends its name to calls.log, which says what ran.

const FLOWS: Record<string, string> = {
  // Fails at its last task until the file 'warehouse-up' exists.
  'etl.ts': `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { flow, task, z } from 'flowrun';
const here = (name: string): URL => new URL('../' + name, import.meta.url);
const called = (name: string): void => appendFileSync(here('calls.log'), name + '\\n');
export const extract = task('extract', (n: number) => { called('extract'); return Array.from({ length: n }, (_, i) => ({ id: i, text: 'row ' + i })); });
export const transform = task('transform', (row: { id: number }) => { called('transform'); return row.id * 10; });
export const big = task('big', () => { called('big'); return 'x'.repeat(100_000); });
export const asMap = task('as_map', () => { called('as_map'); return new Map([[1, 2]]); });
export const config = task('read_config', (text: string) => { called('read_config'); return text.trim(); });
export const load = task('load', (values: number[]) => {
  called('load');
  if (!existsSync(here('warehouse-up'))) { throw new Error('the warehouse is down'); }
  return values.reduce((sum, value) => sum + value, 0);
});
export const child = flow({ name: 'child' }, async ({ k }: { k: number }) => transform({ id: k }));
export default flow({ name: 'etl', params: z.object({ n: z.number().default(3) }) }, async ({ n }) => {
  const rows = await extract(n);
  const values = await Promise.all(transform.map(rows));
  const size = (await big()).length;
  await asMap();
  await config(readFileSync(here('settings.txt'), 'utf8'));
  const fromChild = await child({ k: 7 });
  return (await load(values)) + size + fromChild;
});
`,
  'secretive.ts': `import { appendFileSync, existsSync } from 'node:fs';
import { flow, task, secret, z } from 'flowrun';
const here = (name: string): URL => new URL('../' + name, import.meta.url);
export const auth = task('auth', (token: string) => { appendFileSync(here('calls.log'), 'auth\\n'); return token.length; });
export const echo = task('echo', (token: string) => { appendFileSync(here('calls.log'), 'echo\\n'); return 'token ' + token; });
export const finish = task('finish', () => { if (!existsSync(here('warehouse-up'))) { throw new Error('not yet'); } return 1; });
export default flow({ name: 'secretive', params: z.object({ token: secret(), region: z.string() }) }, async ({ token }) => {
  await auth(token);
  await echo(token);
  return finish();
});
`,
};

const makeProject = (test: TestContext): string => {
  const project = makeTempDir(test, 'flowrun-retry-');
  mkdirSync(join(project, 'flows'));
  mkdirSync(join(project, 'elsewhere'));
  writeFileSync(join(project, 'package.json'), '{ "name": "retry-project", "type": "module" }\n');
  writeFileSync(join(project, 'settings.txt'), 'eu-west\n');
  for (const [file, source] of Object.entries(FLOWS)) {
    writeFileSync(join(project, 'flows', file), source);
  }
  return project;
};

const cli = (cwd: string) => (args: readonly string[], env: Record<string, string> = {}) => runCli(args, { cwd, env, timeoutMs: 60_000 });

const callsIn = (project: string): string[] => {
  const file = join(project, 'calls.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).sort() : [];
};

const resetCalls = (project: string): void => writeFileSync(join(project, 'calls.log'), '');

interface ShownRun {
  id: string;
  name: string;
  state: { type: string; name: string };
  runCount: number;
  subflowRuns: string[];
  taskRuns: { id: string; name: string; task: string; state: { type: string; name: string } }[];
}

const show = async (project: string, reference: string): Promise<ShownRun> => {
  const shown = await cli(project)(['runs', 'show', reference, '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  return JSON.parse(shown.stdout) as ShownRun;
};

const lastRunName = async (project: string, flowName: string): Promise<string> => {
  const listed = await cli(project)(['runs', 'ls', '--flow', flowName, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const [newest] = JSON.parse(listed.stdout) as { name: string }[];
  assert.ok(newest, listed.stdout);
  return newest.name;
};

describe('flow runs retry', { concurrency: true }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    it(`runs a failed run again as the same run, calling only what did not complete (${runner} runner), from another directory of the project`, async (t) => {
      const project = makeProject(t);
      const first = await cli(project)(['run', 'etl', '--runner', runner]);
      assert.equal(first.code, 1, first.stderr);
      assert.deepEqual(callsIn(project), ['as_map', 'big', 'extract', 'load', 'read_config', 'transform', 'transform', 'transform', 'transform']);
      const name = await lastRunName(project, 'etl');
      const before = await show(project, name);

      resetCalls(project);
      writeFileSync(join(project, 'warehouse-up'), '');
      writeFileSync(join(project, 'settings.txt'), 'us-east\n');
      // From a subdirectory: the project root (package.json) holds the history, and task keys do not depend on the cwd.
      const retried = await cli(join(project, 'elsewhere'))(['runs', 'retry', name, '--runner', runner]);
      assert.equal(retried.code, 0, retried.stderr);
      // Called again: load (it failed), as_map (a Map is not kept), read_config (its input changed).
      assert.deepEqual(callsIn(project), ['as_map', 'load', 'read_config']);
      for (const line of [
        `Flow run '${name}' - Finished in state Completed()`,
        "Task run 'extract-",
        'Finished in state Cached(type=COMPLETED)',
        "- Completed in attempt 1 but runs again: its result was not kept (the result is a Map, not JSON data).",
        '- Completed in attempt 1 but runs again: its inputs differ.',
      ]) {
        assert.ok(retried.stderr.includes(line), `missing ${JSON.stringify(line)} in:\n${retried.stderr}`);
      }
      const after = await show(project, name);
      assert.equal(after.id, before.id);
      assert.equal(after.runCount, 2);
      assert.equal(after.state.type, 'COMPLETED');
      // The same task runs (same ids), each once, and the same subflow run.
      assert.deepEqual(after.taskRuns.map((run) => run.id).sort(), before.taskRuns.map((run) => run.id).sort());
      assert.deepEqual(after.subflowRuns, before.subflowRuns);
      const states = Object.fromEntries(after.taskRuns.map((run) => [run.name.replace(/-[0-9a-f]{8}-/, '-'), run.state.name]));
      assert.deepEqual(states, {
        'extract-0': 'Cached',
        'transform-0': 'Cached',
        'transform-1': 'Cached',
        'transform-2': 'Cached',
        'big-0': 'Cached',
        'as_map-0': 'Completed',
        'read_config-0': 'Completed',
        'load-0': 'Completed',
      });
      // The large result was kept in a file, and came back whole (the flow adds its length).
      assert.equal(readdirSync(join(project, '.flow', 'results', 'runs')).length, 1);
      assert.ok(retried.stderr.includes("Task run 'big-"), retried.stderr);

      // The logs hold both attempts: the first one's lines of load, rebuilt from the row the retry took over, then the second's.
      const logs = await cli(project)(['runs', 'logs', name, '--task', 'load']);
      assert.equal(logs.code, 0, logs.stderr);
      const finished = logs.stdout.split('\n').filter((line) => line.includes("Task run 'load-") && line.includes('Finished in state'));
      assert.equal(finished.length, 2, logs.stdout);
      assert.match(finished[0] ?? '', /ERROR {3}\| Task run 'load-[0-9a-f]{8}-0' - Finished in state Failed\('Task run encountered an exception Error: the warehouse is down'\)$/);
      assert.match(finished[1] ?? '', /INFO {4}\| Task run 'load-[0-9a-f]{8}-0' - Finished in state Completed\(\)$/);
      assert.equal(logs.stdout.split('\n').filter((line) => line.includes("Created task run 'load-")).length, 2, logs.stdout);

      // A completed run is not retried: one line, exit 2.
      const again = await cli(project)(['runs', 'retry', name]);
      assert.equal(again.code, 2);
      assert.equal(again.stderr, `error: flow run '${name}' (${before.id.slice(0, 8)}) finished in state Completed(); only a run that failed, crashed, timed out or was cancelled can be retried.\n`);

      // Pruning the run deletes the file of its large result too.
      const pruned = await cli(project)(['runs', 'prune', '--older-than', '0s']);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.deepEqual(readdirSync(join(project, '.flow', 'results', 'runs')), []);
    });
  }

  it('asks for a secret parameter again, keeps neither it nor a result holding it, and refuses to change the others', async (t) => {
    const project = makeProject(t);
    const value = 'hunter2-retry-secret';
    const first = await cli(project)(['run', 'secretive', '--param', `token=${value}`, '--param', 'region=eu']);
    assert.equal(first.code, 1, first.stderr);
    const name = await lastRunName(project, 'secretive');
    writeFileSync(join(project, 'warehouse-up'), '');

    const noToken = await cli(project)(['runs', 'retry', name]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /^error: parameter 'token' is required/);
    const otherParam = await cli(project)(['runs', 'retry', name, '--param', 'region=us', '--param', `token=${value}`]);
    assert.equal(otherParam.code, 2);
    assert.match(otherParam.stderr, /^error: --param region=us sets parameter 'region', but a retry runs flow run '.*' \([0-9a-f]{8}\) again with the parameters it had; only secret parameters are given again\.\n$/);

    resetCalls(project);
    const retried = await cli(project)(['runs', 'retry', name], { FLOW_PARAMS: JSON.stringify({ token: value }) });
    assert.equal(retried.code, 0, retried.stderr);
    // auth's inputs hold the secret: kept as a hash, they still match. echo's result holds it: not kept.
    assert.deepEqual(callsIn(project), ['echo']);
    assert.ok(retried.stderr.includes("but runs again: its result was not kept (it holds a secret parameter's value)."), retried.stderr);
    assert.ok(!retried.stderr.includes(value));
    for (const file of readdirSync(join(project, '.flow'), { recursive: true, encoding: 'utf8' })) {
      const path = join(project, '.flow', file);
      if (!existsSync(path) || !readFileSync(path).toString('latin1').includes(value)) {
        continue;
      }
      assert.fail(`${file} holds the secret's value`);
    }
  });

  it('refuses what it cannot retry with one line: an unknown run, a subflow run', async (t) => {
    const project = makeProject(t);
    const flow = cli(project);
    assert.equal((await flow(['run', 'etl'])).code, 1);
    const unknown = await flow(['runs', 'retry', 'no-such-run']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: no flow run 'no-such-run' in \.flow\/history\.db/);
    const childName = await lastRunName(project, 'child');
    const subflow = await flow(['runs', 'retry', childName]);
    assert.equal(subflow.code, 2);
    assert.match(subflow.stderr, /is a subflow run; retry its top-level run, which runs it again\.\n$/);
  });
});
