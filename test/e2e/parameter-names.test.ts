import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FLOW_BIN, normaliseLines, REPO_ROOT, runCli } from '../helpers/run-cli.js';

// Parameter names are read from a task's source: by taskRunName templates,
// and by Prefect 1 graphs to check the keys bound to a Task's run(). Defaults
// holding brackets and quotes must not throw the reading off.

const project = mkdtempSync(join(tmpdir(), 'flowrun-parameter-names-'));
after(() => rmSync(project, { recursive: true, force: true }));

describe('parameter names read from source', { concurrency: true }, () => {
  it('names a task run from a parameter that follows a default holding a bracket', async () => {
    const file = join(project, 'split.ts');
    writeFileSync(
      file,
      [
        "import { flow, task } from 'flowrun';",
        "const split = task({ name: 'split', taskRunName: 'split-{n}' }, (url: string, sep = ')', n = 1) => url.split(sep).slice(0, n));",
        "export default flow({ name: 'splitting' }, async () => { console.log(await split.submit('a)b)c', ')', 2)); });",
        '',
      ].join('\n'),
    );
    const result = await runCli(['run', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(normaliseLines(result.stderr).some((line) => line.endsWith("Created task run 'split-2' for task 'split'")), result.stderr);
    assert.equal(result.stdout, "[ 'a', 'b' ]\n");
  });

  it("binds every key a Task's run() destructures, when a default holds a brace", async () => {
    const file = join(project, 'brace.ts');
    writeFileSync(
      file,
      [
        "import { Flow, Parameter, Task } from 'flowrun';",
        'class Join extends Task<{ a?: string; b: string }, void> {',
        "  run({ a = '}', b }: { a?: string; b: string }) { console.log(a + b); }",
        '}',
        "export const braces = new Flow('braces');",
        "new Join().bind({ b: new Parameter('b') }, { flow: braces });",
        '',
      ].join('\n'),
    );
    const result = await runCli(['run', file, '--param', 'b={']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '}{\n');
  });

  it('loads the parser only for the runs that read names: not for a plain run, nor for flow --help', () => {
    // acorn is loaded with require(), so the CommonJS module cache tells.
    const preload = join(project, 'list-required.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.REQUIRED_LIST, Object.keys(require.cache).join('\\n')));\n",
    );
    const loadedBy = (args: readonly string[]): string => {
      const list = join(project, `required-${args.join('-').replace(/[^\w-]/g, '_')}.txt`);
      const result = spawnSync(process.execPath, ['--require', preload, FLOW_BIN, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', REQUIRED_LIST: list },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(result.status, 0, result.stderr);
      return readFileSync(list, 'utf8');
    };
    assert.doesNotMatch(loadedBy(['--help']), /[/\\]node_modules[/\\]acorn[/\\]/);
    assert.doesNotMatch(loadedBy(['run', 'print-values']), /[/\\]node_modules[/\\]acorn[/\\]/);
    // The trace sees acorn when it is loaded: flow graph names the edges of a Task's run() keys.
    assert.match(loadedBy(['graph', 'p1-flow']), /[/\\]node_modules[/\\]acorn[/\\]/);
  });
});
