import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { normaliseLines, runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// The project root (API.md section 5), through the real `flow`: storeDir and
// flowsDir are relative to the config file's directory, else the nearest
// package.json's, searched from the flow file when it is given by path. So
// cron can run `flow run /srv/etl/flows/nightly.ts` from $HOME.

// A flow whose one task caches its result under storeDir.
const NIGHTLY = `import { flow, task, taskInputHash, z } from 'flowrun';
const square = task({ name: 'square', cacheKeyFn: taskInputHash }, (x: number) => x * x);
export default flow({ name: 'nightly', params: z.object({ who: z.string().default('nobody') }) }, async ({ who }) => {
  console.log(\`hello \${who} \${await square(3)}\`);
});
`;

/** A temp folder holding `files` (path: text), folders made as needed. */
const makeTree = (t: TestContext, prefix: string, files: Record<string, string>): string => {
  const root = makeTempDir(t, prefix);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

/** The results cached under a store directory. */
const storedResults = (storeDir: string): string[] =>
  existsSync(join(storeDir, 'results')) ? readdirSync(join(storeDir, 'results')).filter((name) => name.endsWith('.json')) : [];

const squareState = (stderr: string): string | undefined =>
  normaliseLines(stderr)
    .find((line) => line.includes("Task run 'square-") && line.includes('Finished in state'))
    ?.replace(/^.* - Finished in state /, '');

describe('project root', { concurrency: true }, () => {
  it("runs a flow given by absolute path from another directory with its project's config and store", async (t) => {
    const project = makeTree(t, 'flowrun-etl-', {
      '.flowrc.json': '{"storeDir": "var/store", "params": {"who": "config"}}',
      'flows/nightly.ts': NIGHTLY,
    });
    const home = makeTempDir(t, 'flowrun-home-');
    const flowFile = join(project, 'flows', 'nightly.ts');
    const first = await runCli(['run', flowFile], { cwd: home });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'hello config 9\n', 'the params of the project config apply');
    assert.equal(storedResults(join(project, 'var', 'store')).length, 1, 'the result is cached in the project');
    assert.deepEqual(readdirSync(home), [], 'nothing is written in the working directory');
    // The next night's run finds it there.
    const second = await runCli(['run', flowFile], { cwd: home });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(squareState(second.stderr), 'Cached(type=COMPLETED)', second.stderr);
    const config = await runCli(['config', flowFile], { cwd: home });
    assert.equal(config.code, 0, config.stderr);
    assert.ok(config.stdout.includes(`\nproject root      = ${project} (directory of .flowrc.json)\n`), config.stdout);
    assert.ok(config.stdout.includes('\nparams.who        = "config" (from '), config.stdout);
  });

  it("keeps the store in the nearest package.json's directory, and ignores the config of the working directory", async (t) => {
    const project = makeTree(t, 'flowrun-app-', { 'package.json': '{"type": "module"}', 'flows/nightly.ts': NIGHTLY });
    const elsewhere = makeTree(t, 'flowrun-other-', { 'package.json': '{}', '.flowrc.json': '{"params": {"who": "stranger"}, "logLevel": "ERROR"}' });
    const result = await runCli(['run', join(project, 'flows', 'nightly.ts')], { cwd: elsewhere });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hello nobody 9\n');
    assert.equal(squareState(result.stderr), 'Completed()', 'INFO lines are printed: logLevel ERROR of the working directory does not apply');
    assert.equal(storedResults(join(project, '.flow')).length, 1);
    assert.equal(existsSync(join(elsewhere, '.flow')), false);
  });

  it('runs a flow by name from a subdirectory of its project, from the flowsDir of the project', async (t) => {
    const project = makeTree(t, 'flowrun-jobs-', {
      'package.json': '{"type": "module"}',
      '.flowrc.yaml': 'flowsDir: jobs\n',
      'jobs/nightly.ts': NIGHTLY,
      'src/deep/.keep': '',
    });
    const cwd = join(project, 'src', 'deep');
    const [run, ls, config] = await Promise.all([runCli(['run', 'nightly'], { cwd }), runCli(['ls'], { cwd }), runCli(['config'], { cwd })]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello nobody 9\n');
    assert.equal(storedResults(join(project, '.flow')).length, 1);
    assert.deepEqual(readdirSync(cwd), ['.keep']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.ok(ls.stdout.startsWith(`nightly  (${join(project, 'jobs', 'nightly.ts')})\n`), ls.stdout);
    assert.ok(config.stdout.includes(`\nproject root      = ${project} (directory of .flowrc.yaml)\n`), config.stdout);
    // A name the project does not have is looked for in its flowsDir, named so.
    const unknown = await runCli(['run', 'nightlyy'], { cwd });
    assert.equal(unknown.code, 2);
    assert.ok(unknown.stderr.includes(`unknown flow 'nightlyy' in ${join(project, 'jobs')}/: did you mean 'nightly'?`), unknown.stderr);
  });

  it('takes the directory of the file given by --config as the project root', async (t) => {
    const project = makeTree(t, 'flowrun-app-', { 'package.json': '{"type": "module"}', 'flows/nightly.ts': NIGHTLY });
    const settings = makeTree(t, 'flowrun-settings-', { 'etl.json': '{"params": {"who": "ops"}}' });
    const home = makeTempDir(t, 'flowrun-home-');
    const result = await runCli(['run', join(project, 'flows', 'nightly.ts'), '--config', join(settings, 'etl.json')], { cwd: home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hello ops 9\n');
    assert.equal(storedResults(join(settings, '.flow')).length, 1);
    assert.equal(existsSync(join(project, '.flow')), false);
    assert.deepEqual(readdirSync(home), []);
  });
});
