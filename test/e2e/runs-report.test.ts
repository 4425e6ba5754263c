import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { runCli } from '../helpers/run-cli.js';

// `flow runs report <run> [-o PATH]` (API.md section 8), through the real
// CLI: one self-contained HTML file of a recorded run.

const FLOWS: Record<string, string> = {
  'mixed.ts': `import { flow, task, getRunLogger } from 'flowrun';
export const fetchRows = task({ name: 'fetch_rows', retries: 1 }, (attempts: { count: number }) => {
  attempts.count += 1;
  if (attempts.count === 1) throw new Error('flaky network');
  return 3;
});
export const explode = task('explode', () => { throw new Error('the </script><img src=x onerror=alert(1)> broke'); });
export const note = task('note', (rows: number) => { getRunLogger().warning(\`\${rows} rows <b>seen</b>\`); return rows; });
export default flow({ name: 'mixed' }, async () => {
  const rows = await fetchRows({ count: 0 });
  await note(rows);
  await explode.submit().wait();
});
`,
  'many.ts': `import { flow, task } from 'flowrun';
export const addOne = task('add_one', (x: number) => x + 1);
export default flow({ name: 'many' }, async () => (await Promise.all(addOne.map(Array.from({ length: 1000 }, (_, index) => index)))).length);
`,
};

// What a browser would fetch: a src or href to anywhere, a CSS url() or @import, a script's request.
const EXTERNAL = /(?:\b(?:src|href)\s*=\s*["']?[a-z]+:)|url\(|@import|fetch\(|XMLHttpRequest|import\(/i;

const reportData = (html: string): { taskRuns: unknown[]; lines: [number, number, string, number, string][] } => {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(json !== undefined, 'the page holds its data');
  return JSON.parse(json) as { taskRuns: unknown[]; lines: [number, number, string, number, string][] };
};

describe('flow runs report', { concurrency: true }, () => {
  it('writes one self-contained page of a run: its facts, failures with their stacks, its lines, and nothing it would fetch', async (t) => {
    const project = makeFlowProject(t, 'report', FLOWS);
    const run = await runCli(['run', 'mixed'], { cwd: project });
    assert.equal(run.code, 1, run.stderr);
    const name = /Flow run '([a-z]+-[a-z]+)' - Finished in state Failed/.exec(run.stderr)?.[1] ?? '';
    const report = await runCli(['runs', 'report', name], { cwd: project });
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, new RegExp(`^Wrote the report of flow run '${name}' to flow-run-${name}\\.html \\(\\d+ KB\\): open it in a browser\\.\\n$`));
    const html = readFileSync(join(project, `flow-run-${name}.html`), 'utf8');
    assert.doesNotMatch(html, EXTERNAL);
    assert.match(html, new RegExp(`<h1>Flow run ${name}</h1>`));
    assert.match(html, /<td>runner<\/td><td>ConcurrentTaskRunner<\/td>/);
    // A message that holds markup stays text: it cannot end the data or add an element.
    assert.doesNotMatch(html, /<\/script><img/);
    assert.doesNotMatch(html, /<b>seen<\/b>/);
    const data = reportData(html);
    assert.equal(data.taskRuns.length, 3);
    const messages = data.lines.map((line) => line[4]);
    assert.ok(messages.some((text) => text.includes('Encountered exception during execution:\nError: the </script><img src=x onerror=alert(1)> broke\n    at ')), messages.join('\n---\n'));
    assert.ok(messages.includes('3 rows <b>seen</b>'));
    assert.ok(messages.some((text) => text.includes('flaky network')), 'the first attempt of the retried run is there');
  });

  it('keeps a run of 1,000 task runs under 300 KB, and writes where -o says', async (t) => {
    const project = makeFlowProject(t, 'report', FLOWS);
    const run = await runCli(['run', 'many', '--log-level', 'INFO'], { cwd: project });
    assert.equal(run.code, 0, run.stderr);
    const report = await runCli(['runs', 'report', /Flow run '([a-z]+-[a-z]+)'/.exec(run.stderr)?.[1] ?? '', '-o', 'out/../many.html'], { cwd: project });
    assert.equal(report.code, 0, report.stderr);
    const path = join(project, 'many.html');
    assert.ok(statSync(path).size < 300 * 1024, `${statSync(path).size} bytes`);
    assert.equal(reportData(readFileSync(path, 'utf8')).taskRuns.length, 1000);
  });

  it('writes the report when a run ends with flow run --report, whatever its end; refuses it, exit 2, with the history off', async (t) => {
    const project = makeFlowProject(t, 'report', FLOWS);
    const run = await runCli(['run', 'mixed', '--report', 'reports/last.html'], { cwd: project });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Flow run '[a-z]+-[a-z]+' - Finished in state Failed\('1\/3 states failed\.'\)\n$/);
    const html = readFileSync(join(project, 'reports', 'last.html'), 'utf8');
    assert.equal(reportData(html).taskRuns.length, 3);
    assert.doesNotMatch(html, EXTERNAL);
    const refused = await runCli(['run', 'mixed', '--report', 'r.html', '--no-history'], { cwd: project });
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'error: --report makes the report from the run history, which is off for this run (history from --no-history).\n');
  });

  it('says in one line, exit 2, when the run is unknown or the file cannot be written', async (t) => {
    const project = makeFlowProject(t, 'report', FLOWS);
    const run = await runCli(['run', 'many'], { cwd: project });
    assert.equal(run.code, 0, run.stderr);
    const unknown = await runCli(['runs', 'report', 'nosuchrun'], { cwd: project });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: no flow run 'nosuchrun' in \.flow\/history\.db; /);
    const name = /Flow run '([a-z]+-[a-z]+)'/.exec(run.stderr)?.[1] ?? '';
    const unwritable = await runCli(['runs', 'report', name, '-o', 'no/such/dir/r.html'], { cwd: project });
    assert.equal(unwritable.code, 2, unwritable.stderr);
    assert.match(unwritable.stderr, /^error: cannot write the report to .*no\/such\/dir\/r\.html: ENOENT\.\n$/);
  });
});
