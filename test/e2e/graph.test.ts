import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normaliseLines, runCli } from '../helpers/run-cli.js';

// Seed 000's two Prefect 1 programs through the CLI, and `flow graph`.

describe('Prefect 1 style flows through flow run and flow graph', { concurrency: true }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    for (const name of ['p1-flow', 'p1-imperative']) {
      it(`runs ${name} on the ${runner} runner with the lines of every flow`, async () => {
        const result = await runCli(['run', name, '--param', 'stop=5', '--runner', runner, '--workers', '2']);
        assert.equal(result.code, 0, result.stderr);
        const numbers = result.stdout.trim().split('\n').slice(0, 3).map((line) => Number(/^Your number is (\d)$/.exec(line)?.[1]));
        assert.equal(numbers.filter((number) => number >= 0 && number < 5).length, 3, result.stdout);
        assert.equal(result.stdout.trim().split('\n')[3], String(numbers.reduce((a, b) => a + b, 0)));
        const lines = normaliseLines(result.stderr);
        assert.match(lines[0] ?? '', new RegExp(`flowrun\\.engine - Created flow run '[a-z]+-[a-z]+' for flow '${name}'$`));
        assert.equal(lines.filter((line) => line.includes('Finished in state Completed()')).length, 4, lines.join('\n'));
        assert.match(lines.at(-1) ?? '', /Finished in state Completed\('All states completed\.'\)$/);
        assert.ok(!lines.some((line) => line.includes('WARNING')), lines.join('\n'));
      });
    }
  }

  it('draws a graph as text, mermaid and dot, with the bound keys on the edges', async () => {
    const [text, mermaid, dot] = await Promise.all(['text', 'mermaid', 'dot'].map((format) => runCli(['graph', 'p1-imperative', '--format', format])));
    assert.equal(
      text?.stdout,
      [
        "Flow 'p1-imperative': 5 nodes, 6 edges",
        '  [1] stop (Parameter, required)',
        '  [2] RandomNum (task) <- [1] stop as stop',
        '  [3] RandomNum (task) <- [1] stop as stop',
        '  [4] RandomNum (task) <- [1] stop as stop',
        '  [5] Sum (task) <- [2] RandomNum as numbers, [3] RandomNum as numbers, [4] RandomNum as numbers',
        '',
      ].join('\n'),
    );
    assert.match(mermaid?.stdout ?? '', /^flowchart TD\n {2}n1\(\["stop"\]\)\n[\s\S]* {2}n1 -- "stop" --> n2\n/);
    assert.match(dot?.stdout ?? '', /^digraph "p1-imperative" \{\n[\s\S]* {2}n4 -> n5 \[label="numbers"\];\n\}\n$/);
  });

  it('explains that a Prefect 2 flow has no static graph, and lists Prefect 1 flows in flow ls', async () => {
    const [graph, ls] = await Promise.all([runCli(['graph', 'parallel-execution']), runCli(['ls'])]);
    assert.equal(graph.code, 2);
    assert.match(graph.stderr, /^error: flow 'parallel-execution' is a Prefect 2 style flow: its graph is known only once it runs/);
    assert.match(ls.stdout, /^p1-flow {2}\(flows\/p1-flow\.ts\)\n {4}stop {2}any {2}required$/m);
  });

  it('refuses a cycle, a missing required Parameter and a key the task does not take, with one line, exit 2', async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-graph-'));
    try {
      writeFileSync(
        join(project, 'cycle.ts'),
        "import { Flow, Parameter, task } from 'flowrun';\nconst inc = task('inc', (x: number) => x + 1);\nconst dbl = task('dbl', (x: number) => x * 2);\nexport default new Flow('cyclic', () => { const p = new Parameter('p'); const a = inc(p); const b = dbl(a); a.setUpstream(b); });\n",
      );
      writeFileSync(
        join(project, 'bad-key.ts'),
        "import { Flow, Parameter, Task } from 'flowrun';\nclass Add extends Task<{ a: number; b: number }, number> { run({ a, b }: { a: number; b: number }) { return a + b; } }\nexport const flow = new Flow('bad-key');\nnew Parameter('p').setDownstream(new Add(), { key: 'c', flow });\n",
      );
      const [cycle, missing, badKey] = await Promise.all([
        runCli(['run', join(project, 'cycle.ts'), '--param', 'p=1']),
        runCli(['run', 'p1-flow']),
        runCli(['run', join(project, 'bad-key.ts'), '--param', 'p=1']),
      ]);
      assert.equal(badKey.code, 2);
      assert.equal(badKey.stderr, `error: ${join(project, 'bad-key.ts')}: task 'Add' does not take 'c': its run() takes 'a', 'b'.\n`);
      assert.equal(cycle.code, 2);
      assert.equal(cycle.stderr, "error: flow 'cyclic' has a cycle through 'inc', 'dbl': a task cannot depend on itself; remove one of the edges.\n");
      assert.equal(missing.code, 2);
      assert.equal(missing.stderr, "error: parameter 'stop' is required; pass it with --param stop=<value>\n");
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  describe('reference tasks decide the final state', () => {
    const ALERTING = 'test/fixtures/graph/alerting.ts';
    for (const runner of ['concurrent', 'parallel']) {
      it(`completes an alerting flow when all is healthy, its alert TriggerFailed (${runner} runner)`, async () => {
        const result = await runCli(['run', ALERTING, '--runner', runner, '--workers', '2']);
        const lines = normaliseLines(result.stderr);
        assert.equal(result.code, 0, result.stderr);
        assert.ok(lines.some((line) => /'alert-[0-9a-f]{8}-0' - Finished in state TriggerFailed\('Trigger was "any_failed" but none of the upstream tasks failed\.', type=FAILED\)$/.test(line)), result.stderr);
        assert.match(lines.at(-1) ?? '', /Finished in state Completed\('All states completed\.'\)$/);
        assert.equal(result.stdout, '');
      });
    }

    it('fails an alerting flow whose reference task failed, its alert having run', async () => {
      const result = await runCli(['run', ALERTING, '--param', 'healthy=false']);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, 'ALERT: the service is down\n');
      assert.match(normaliseLines(result.stderr).at(-1) ?? '', /Finished in state Failed\('1\/1 states failed\.'\)$/);
    });
  });

  describe('Parameters with a zod schema', () => {
    const TYPED = 'test/fixtures/graph/typed-params.ts';
    it('hands the task a number for a number and the text for a string', async () => {
      const result = await runCli(['run', TYPED, '--param', 'stop=5', '--param', 'name=5']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'stop: number 5; name: string 5\n');
      assert.match(normaliseLines(result.stderr).at(-1) ?? '', /Finished in state Completed\('All states completed\.'\)$/);
    });

    it('refuses a value of the wrong type with one line, exit 2, as a Prefect 2 flow does', async () => {
      const [word, fraction] = await Promise.all([runCli(['run', TYPED, '--param', 'stop=abc']), runCli(['run', TYPED, '--param', 'stop=1.5'])]);
      assert.equal(word.code, 2);
      assert.equal(word.stderr, 'error: parameter \'stop\' must be a number, got "abc" (from --param stop=abc)\n');
      assert.equal(fraction.code, 2);
      assert.equal(fraction.stderr, "error: parameter 'stop' must be an integer, got 1.5 (from --param stop=1.5)\n");
    });

    it('shows each parameter\'s type in flow ls', async () => {
      const result = await runCli(['ls'], { env: { FLOW_FLOWS_DIR: 'test/fixtures/graph' } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^typed-graph {2}\(test\/fixtures\/graph\/typed-params\.ts\)\n {4}stop {2}number {2}required\n {4}name {2}string {2}default "x"$/m);
    });
  });

  it('refuses a default its schema does not take, and a reference task outside the flow, where the flow is loaded', async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-graph-'));
    try {
      writeFileSync(
        join(project, 'bad-default.ts'),
        "import { Flow, Parameter, task, z } from 'flowrun';\nconst show = task('show', (x: unknown) => x);\nexport default new Flow('bad-default', () => { show(new Parameter('stop', { schema: z.number(), default: 'five' as never })); });\n",
      );
      writeFileSync(
        join(project, 'bad-reference.ts'),
        "import { Flow, task } from 'flowrun';\nconst show = task('show', (x: unknown) => x);\nlet elsewhere: unknown;\nnew Flow('other', () => { elsewhere = show(1); });\nexport default new Flow('watching', (flow) => { show(2); flow.setReferenceTasks([elsewhere as never]); });\n",
      );
      const [badDefault, badReference] = await Promise.all([runCli(['run', join(project, 'bad-default.ts')]), runCli(['run', join(project, 'bad-reference.ts')])]);
      assert.equal(badDefault.code, 2);
      assert.equal(badDefault.stderr, `error: ${join(project, 'bad-default.ts')}: parameter 'stop' must be a number, got "five" (from its default in new Parameter('stop'))\n`);
      assert.equal(badReference.code, 2);
      assert.equal(
        badReference.stderr,
        `error: ${join(project, 'bad-reference.ts')}: flow 'watching': reference task 'show' is not a node of this flow (it is in flow 'other'); add it first (call it in the builder, bind() or wire it), then setReferenceTasks().\n`,
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
