import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// `flow run --dry-run`: everything a run resolves, printed; nothing run,
// written or recorded; bad input refused exactly as a real run refuses it.

const FLOW = `import { writeFileSync } from 'node:fs';
import { flow, task, secret, z } from 'flowrun';
const touch = task('touch', (day: string) => writeFileSync(new URL('../ran-' + day, import.meta.url), ''));
export default flow({ name: 'nightly', params: z.object({ day: z.string(), token: secret(), retries: z.number().default(2) }) }, async ({ day }) => {
  await touch(day);
});
`;

const makeProject = (test: TestContext): string =>
  makeFlowProject(test, 'dry-run-project', { 'nightly.ts': FLOW }, { '.flowrc.json': JSON.stringify({ logLevel: 'WARNING', flows: { nightly: { runner: 'sequential' } } }) });

describe('flow run --dry-run', { concurrency: true }, () => {
  it('prints each setting and parameter with where it came from, secrets masked, and runs and records nothing', async (t) => {
    const project = makeProject(t);
    const elsewhere = makeTempDir(t, 'flowrun-dry-run-cwd-');
    const result = await runCli(['run', join(project, 'flows', 'nightly.ts'), '--param', 'day=2026-12-04', '--dry-run'], {
      cwd: elsewhere,
      env: { FLOW_PARAMS: '{"token": "hunter2-very-secret"}' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^Dry run of flow 'nightly' \(.*nightly\.ts:default\): nothing is run or recorded\.$/);
    assert.deepEqual(lines.slice(1), [
      `config file    = ${join(project, '.flowrc.json')}`,
      `project root   = ${project} (directory of .flowrc.json)`,
      `runner         = SequentialTaskRunner (from ${join(project, '.flowrc.json')} (flows.nightly.runner))`,
      'workers        = 2 (from default); only the parallel runner has workers',
      `log level      = WARNING (from ${join(project, '.flowrc.json')})`,
      'overlap        = allow (from default)',
      'timeout        = none (from default)',
      `store          = ${join(project, '.flow')} (from default)`,
      `history        = ${join(project, '.flow', 'history.db')} (from default)`,
      'params.day     = "2026-12-04" (from --param day=2026-12-04)',
      'params.token   = ******** (from FLOW_PARAMS)',
      "params.retries = 2 (from flow 'nightly' default)",
    ]);
    assert.ok(!result.stdout.includes('hunter2'), result.stdout);
    assert.equal(existsSync(join(project, 'ran-2026-12-04')), false, 'the task ran');
    assert.equal(existsSync(join(project, '.flow')), false, 'the store was created');
  });

  it('refuses bad input exactly as a run does, exit 2', async (t) => {
    const project = makeProject(t);
    for (const args of [
      ['--param', 'day=2026-12-04'], // token missing
      ['--param', 'day=2026-12-04', '--param', 'token=x', '--param', 'retries=many'],
      ['--param', 'day=2026-12-04', '--param', 'token=x', '--runner', 'fastest'],
    ]) {
      const dry = await runCli(['run', 'nightly', ...args, '--dry-run'], { cwd: project });
      const real = await runCli(['run', 'nightly', ...args], { cwd: project });
      assert.equal(dry.code, 2, dry.stderr);
      assert.equal(real.code, 2, real.stderr);
      assert.equal(dry.stderr, real.stderr);
      assert.equal(dry.stdout, '');
    }
    assert.equal(existsSync(join(project, '.flow')), false);
  });
});
