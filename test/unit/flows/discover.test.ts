import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { describeNoFlowFiles, listFlowFiles } from '../../../src/flows/discover.js';

const project = mkdtempSync(join(tmpdir(), 'flowrun-discover-'));
after(() => rmSync(project, { recursive: true, force: true }));

describe('listFlowFiles', () => {
  it('lists the flow modules directly inside flowsDir, sorted, skipping directories however they are named', async () => {
    const flows = join(project, 'flows');
    mkdirSync(join(flows, 'old.ts'), { recursive: true });
    mkdirSync(join(flows, 'nested'));
    for (const name of ['b.ts', 'a.mjs', '_helper.ts', 'types.d.ts', 'notes.md', 'nested/deep.ts']) {
      writeFileSync(join(flows, name), '');
    }
    symlinkSync(join(flows, 'b.ts'), join(flows, 'linked.ts'));
    const listing = await listFlowFiles('flows', project);
    assert.deepEqual(listing, { flowsDir: 'flows', exists: true, files: ['a.mjs', 'b.ts', 'linked.ts'].map((name) => join(flows, name)) });
    // An absolute flowsDir is taken as it is, whatever the working directory.
    assert.deepEqual((await listFlowFiles(flows, tmpdir())).files, listing.files);
  });

  it('says a flowsDir that does not exist does not, rather than that it is empty', async () => {
    const listing = await listFlowFiles('no-such-dir', project);
    assert.deepEqual(listing, { flowsDir: 'no-such-dir', exists: false, files: [] });
    assert.equal(describeNoFlowFiles(listing, project), `no-such-dir/ does not exist in ${project}`);
    // An absolute one (in a project root that is not the working directory) says where it is by itself.
    const absolute = join(project, 'no-such-dir');
    assert.equal(describeNoFlowFiles(await listFlowFiles(absolute, tmpdir()), tmpdir()), `${absolute}/ does not exist`);
    mkdirSync(join(project, 'empty'));
    assert.equal(describeNoFlowFiles(await listFlowFiles('empty', project), project), 'no flow modules (.ts, .mts, .js, .mjs) in empty/');
  });

  it('refuses a flowsDir that is a file with a usage error naming it', async () => {
    writeFileSync(join(project, 'flows.txt'), '');
    await assert.rejects(listFlowFiles('flows.txt', project), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, `flowsDir flows.txt (in ${project}) is a file, not a directory; set flowsDir to the directory that holds your flow modules.`);
      return true;
    });
  });

  it('refuses a flowsDir it may not read', { skip: process.getuid?.() === 0 ? 'running as root, whom file permissions do not stop' : false }, async () => {
    const locked = join(project, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    try {
      await assert.rejects(listFlowFiles('locked', project), /flowsDir locked \(in .*\) cannot be read: permission denied/);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
