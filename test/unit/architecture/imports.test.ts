import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/run-cli.js';

// The import rules of .dependency-cruiser.cjs: src/'s folders are layers,
// values are imported only from the same folder or one below, and no module
// is part of a cycle of value imports.

const DEPCRUISE = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

const cruise = (path: string): { status: number | null; report: string } => {
  const result = spawnSync(process.execPath, [DEPCRUISE, path, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, report: `${result.stdout}${result.stderr}` };
};

describe('import rules', () => {
  it('hold in src/: no cycle, and no value imported from a higher folder', () => {
    const { status, report } = cruise('src');
    assert.equal(status, 0, report);
    assert.match(report, /no dependency violations found/);
  });

  it('catch a cycle of imports', () => {
    const { status, report } = cruise('test/fixtures/import-circle');
    assert.notEqual(status, 0, report);
    assert.match(report, /error no-circular: test\/fixtures\/import-circle\/(first|second)\.ts/);
  });
});
