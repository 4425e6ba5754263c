import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { runCli } from '../helpers/run-cli.js';

// `--log-format json`: every line on stderr one JSON object with the fields
// of API.md section 6, saying what the text format says.

const SECRET = 'pa"ss\\word-0451';

const FLOW = `import { flow, task, getRunLogger, secret, z } from 'flowrun';
export const fetchRows = task('fetch_rows', (token: string) => { getRunLogger().info('using ' + token); console.log('rows on stdout'); return [1, 2, 3]; });
export const explode = task('explode', (rows: number[]) => { throw new Error('row ' + rows[1] + ' is bad\\nsecond line'); });
export const after = task('after', (x: number) => x);
export const child = flow({ name: 'child-flow' }, async () => after(1));
export default flow({ name: 'json-logs', params: z.object({ token: secret() }) }, async ({ token }) => {
  const rows = await fetchRows(token);
  await child();
  return [explode.submit(rows), after.submit(0)];
});
`;

const makeProject = (test: TestContext): string => makeFlowProject(test, 'json-logs', { 'json-logs.ts': FLOW });

interface JsonLine {
  ts: string;
  level: string;
  logger: string;
  message: string;
  flowRunId?: string;
  flowRunName?: string;
  flowName?: string;
  taskRunId?: string;
  taskRunName?: string;
  state?: { type: string; name: string; message: string | null };
}

// `HH:MM:SS.mmm | LEVEL   | who - message`, a message going on over the lines that follow.
const parseTextLines = (stderr: string): { level: string; message: string }[] => {
  const lines: { level: string; message: string }[] = [];
  for (const line of stderr.trimEnd().split('\n')) {
    const match = /^\d\d:\d\d:\d\d\.\d{3} \| (\w+) *\| .*? - (.*)$/.exec(line);
    const last = lines.at(-1);
    if (match) {
      lines.push({ level: match[1] ?? '', message: match[2] ?? '' });
    } else if (last) {
      last.message += `\n${line}`;
    }
  }
  return lines;
};

describe('--log-format json', { concurrency: true }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    it(`writes every record as one JSON object a line, saying what the text says (${runner} runner)`, async (t) => {
      const project = makeProject(t);
      const env = { FLOW_PARAMS: JSON.stringify({ token: SECRET }) };
      const json = await runCli(['run', 'json-logs', '--runner', runner, '--log-format', 'json'], { cwd: project, env });
      const text = await runCli(['run', 'json-logs', '--runner', runner], { cwd: project, env });
      assert.equal(json.code, 1, json.stderr);
      assert.equal(text.code, 1, text.stderr);
      // What tasks print stays on stdout.
      assert.equal(json.stdout, 'rows on stdout\n');
      assert.ok(!json.stderr.includes('pa"ss') && !json.stderr.includes('pa\\"ss'), json.stderr);

      const lines = json.stderr.trimEnd().split('\n');
      const records = lines.map((line) => JSON.parse(line) as JsonLine);
      for (const record of records) {
        assert.match(record.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].includes(record.level), record.level);
        assert.ok(['flowrun.engine', 'flow_run', 'task_run'].includes(record.logger), record.logger);
        if (record.logger !== 'flowrun.engine') {
          assert.ok(record.flowRunId && record.flowRunName && record.flowName, JSON.stringify(record));
        }
        if (record.logger === 'task_run') {
          assert.ok(record.taskRunId && record.taskRunName, JSON.stringify(record));
        }
        assert.equal(record.state !== undefined, record.message.startsWith('Finished in state '), JSON.stringify(record));
      }
      const [top] = records;
      assert.equal(top?.message.startsWith('Created flow run '), true);
      const topId = top?.flowRunId;
      const finalLine = records.at(-1);
      assert.equal(finalLine?.flowRunId, topId);
      assert.equal(finalLine?.flowName, 'json-logs');
      assert.deepEqual(finalLine?.state, { type: 'FAILED', name: 'Failed', message: '1/2 states failed.' });
      // The subflow's lines name their own run and flow.
      const childLines = records.filter((record) => record.flowName === 'child-flow');
      assert.ok(childLines.length >= 3 && childLines.every((record) => record.flowRunId !== topId), JSON.stringify(childLines));
      // The stack stays inside its object.
      const failure = records.find((record) => record.logger === 'task_run' && record.message.startsWith('Encountered exception'));
      assert.match(failure?.message ?? '', /^Encountered exception during execution:\nError: row 2 is bad\nsecond line\n {4}at /);
      assert.match(failure?.taskRunName ?? '', /^explode-[0-9a-f]{8}-0$/);
      assert.ok(records.some((record) => record.message === 'using ********'), json.stderr);

      // The same messages as the text format, run names aside (each run draws its own).
      const anonymous = (message: string, names: readonly string[]): string => names.reduce((out, name) => out.split(name).join('<run>'), message);
      const jsonNames = [...new Set(records.map((record) => record.flowRunName ?? ''))].filter(Boolean);
      const textNames = [...text.stderr.matchAll(/Flow run '([a-z]+-[a-z]+)'/g)].map((match) => match[1] ?? '');
      const fromJson = records.map((record) => `${record.level} ${anonymous(record.message, jsonNames)}`).map((line) => line.replace(/\n {4}at .*/g, '')).sort();
      const fromText = parseTextLines(text.stderr).map(({ level, message }) => `${level} ${anonymous(message, textNames)}`).map((line) => line.replace(/\n {4}at .*/g, '')).sort();
      assert.deepEqual(fromJson, fromText);
    });
  }

  it('is chosen by FLOW_LOG_FORMAT or logFormat in the config, and a wrong value is refused with one line, exit 2', async (t) => {
    const project = makeProject(t);
    const env = { FLOW_PARAMS: JSON.stringify({ token: 'x' }) };
    const fromEnv = await runCli(['run', 'json-logs'], { cwd: project, env: { ...env, FLOW_LOG_FORMAT: 'json' } });
    assert.equal((JSON.parse(fromEnv.stderr.split('\n')[0] ?? '') as JsonLine).logger, 'flowrun.engine');
    writeFileSync(join(project, '.flowrc.json'), '{ "logFormat": "json" }');
    const fromConfig = await runCli(['run', 'json-logs'], { cwd: project, env });
    assert.equal((JSON.parse(fromConfig.stderr.split('\n')[0] ?? '') as JsonLine).logger, 'flowrun.engine');
    const wrong = await runCli(['run', 'json-logs', '--log-format', 'yaml'], { cwd: project, env });
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, "error: --log-format must be 'text' or 'json', got \"yaml\".\n");
  });
});
