import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { runCli } from '../helpers/run-cli.js';

// Under GitHub Actions (GITHUB_ACTIONS=true): an ::error annotation per
// failed run, on the user's line, at most 10 and then a notice; and the
// step summary appended to $GITHUB_STEP_SUMMARY.

const FLOW = `import { flow, task } from 'flowrun';
export const check = task('check', (n: number) => {
  if (n % 2 === 1) {
    throw new Error('100% wrong, row ' + n + '\\nsecond line');
  }
  return n;
});
export default flow({ name: 'checks' }, async () => check.map(Array.from({ length: 24 }, (_, n) => n)));
`;

const makeProject = (test: TestContext): string => makeFlowProject(test, 'gha-project', { 'checks.ts': FLOW });

describe('GitHub Actions', { concurrency: true }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    it(`annotates failed runs on the line that threw, at most 10 then a notice, and appends the step summary (${runner} runner)`, async (t) => {
      const project = makeProject(t);
      const summary = join(project, 'summary.md');
      writeFileSync(summary, '## an earlier step\n');
      const result = await runCli(['run', 'checks', '--runner', runner], { cwd: project, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stdout.trimEnd().split('\n');
      const errors = lines.filter((line) => line.startsWith('::error '));
      assert.equal(errors.length, 10, result.stdout);
      for (const line of errors) {
        assert.match(line, /^::error title=Failed%3A task run 'check-[0-9a-f]{8}-\d+',file=flows\/checks\.ts,line=4::Task run encountered an exception Error: 100%25 wrong, row \d+%0Asecond line$/);
      }
      // 12 task runs and the flow run failed: 3 are left out.
      assert.deepEqual(
        lines.filter((line) => line.startsWith('::notice')),
        ['::notice::3 more failed run(s) are not annotated (GitHub shows 10 per step); the log has them all.'],
      );
      const written = readFileSync(summary, 'utf8');
      assert.ok(written.startsWith('## an earlier step\n### Flow run '), written);
      assert.match(written, /\| Final state \| Failed\('12\/24 states failed\.'\) \|/);
      assert.match(written, /\| Task runs \| (12 Completed, 12 Failed|12 Failed, 12 Completed) \|/);
      assert.equal((written.match(/^- task run `check-[0-9a-f]{8}-\d+`, Failed: .*\(flows\/checks\.ts:4\)$/gm) ?? []).length, 12, written);
    });
  }

  it('prints no annotation outside GitHub Actions', async (t) => {
    const project = makeProject(t);
    const result = await runCli(['run', 'checks'], { cwd: project });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
  });
});
