import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { hashFile, pathInProject, projectRelativePath } from '../../../../src/runners/distributed/task-module.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

// How a task's module is named on the queue (its path in the project) and
// known to be the same on a worker (its content's hash).

describe('task modules of the distributed runner', () => {
  it('names a module by its path in the project, the same from any checkout, and none outside it', () => {
    assert.equal(projectRelativePath(pathToFileURL('/srv/etl/flows/nightly.ts').href, '/srv/etl'), 'flows/nightly.ts');
    assert.equal(projectRelativePath('/home/ci/etl/flows/nightly.ts', '/home/ci/etl'), 'flows/nightly.ts');
    assert.equal(projectRelativePath('/srv/other/flows/x.ts', '/srv/etl'), undefined);
    assert.equal(projectRelativePath('/srv/etl', '/srv/etl'), undefined);
  });

  it('finds a named module under a worker project, and refuses a name that leads out of it', () => {
    assert.equal(pathInProject('/work/etl', 'flows/nightly.ts'), join('/work/etl', 'flows', 'nightly.ts'));
    for (const name of ['../etc/passwd', 'flows/../../x.ts', '/etc/passwd', 'flows//x.ts']) {
      assert.equal(pathInProject('/work/etl', name), undefined, name);
    }
  });

  it('hashes a module by its content, again when it changed', (t) => {
    const dir = makeTempDir(t, 'flowrun-task-module-');
    const path = join(dir, 'a.ts');
    writeFileSync(path, 'export const a = 1;\n');
    const first = hashFile(path);
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(hashFile(path), first);
    writeFileSync(path, 'export const a = 22;\n');
    assert.notEqual(hashFile(path), first);
  });
});
