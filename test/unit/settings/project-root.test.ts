import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadProject } from '../../../src/settings/project.js';
import {
  describeProjectRoot,
  findNearestPackageJson,
  findProjectRoot,
  flowsDirFromCwd,
  resolveInProject,
} from '../../../src/settings/project-root.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

// The project root of API.md section 5: the config file's directory, else the
// nearest package.json's, else the working directory; searched from the flow
// file's directory when the flow is given by path.

/** A temp folder holding `files` (path: text), folders made as needed. */
const makeTree = (t: TestContext, files: Record<string, string>): string => {
  const root = makeTempDir(t, 'flowrun-root-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

const FLOW = "export default 'not loaded here';\n";

describe('project root', () => {
  it("is the config file's directory, even below the nearest package.json", async (t) => {
    const tree = makeTree(t, { 'package.json': '{}', 'etl/.flowrc.json': '{"storeDir": "state"}', 'etl/flows/nightly.ts': FLOW });
    const elsewhere = makeTempDir(t, 'flowrun-cwd-');
    const { config, root } = await loadProject({ cwd: elsewhere, flowFile: join(tree, 'etl/flows/nightly.ts') });
    assert.equal(config.filepath, join(tree, 'etl/.flowrc.json'));
    assert.deepEqual(root, { dir: join(tree, 'etl'), reason: 'config', file: join(tree, 'etl/.flowrc.json') });
    assert.equal(resolveInProject(root, '.flow'), join(tree, 'etl/.flow'));
    assert.equal(describeProjectRoot(root), `${join(tree, 'etl')} (directory of .flowrc.json)`);
  });

  it("is the nearest package.json's directory when there is no config file", async (t) => {
    const tree = makeTree(t, { 'package.json': '{}', 'app/package.json': '{"name": "app"}', 'app/flows/nightly.ts': FLOW });
    const { config, root } = await loadProject({ cwd: makeTempDir(t, 'flowrun-cwd-'), flowFile: join(tree, 'app/flows/nightly.ts') });
    assert.equal(config.filepath, undefined);
    assert.deepEqual(root, { dir: join(tree, 'app'), reason: 'package', file: join(tree, 'app/package.json') });
    assert.equal(describeProjectRoot(root), `${join(tree, 'app')} (directory of package.json)`);
  });

  it('is the directory of a package.json whose flow key is the config', async (t) => {
    const tree = makeTree(t, { 'package.json': '{"flow": {"runner": "sequential"}}', 'flows/nightly.ts': FLOW });
    const { config, root } = await loadProject({ cwd: makeTempDir(t, 'flowrun-cwd-'), flowFile: join(tree, 'flows/nightly.ts') });
    assert.deepEqual(config.config, { runner: 'sequential' });
    assert.deepEqual(root, { dir: tree, reason: 'config', file: join(tree, 'package.json') });
  });

  it('is the working directory when neither is found', (t) => {
    if (findNearestPackageJson(tmpdir()) !== undefined) {
      t.skip(`a package.json above ${tmpdir()} would be the root`);
      return;
    }
    const cwd = makeTempDir(t, 'flowrun-cwd-');
    const tree = makeTree(t, { 'flows/nightly.ts': FLOW });
    const root = findProjectRoot({ cwd, flowFile: join(tree, 'flows/nightly.ts') });
    assert.deepEqual(root, { dir: cwd, reason: 'cwd' });
    assert.match(describeProjectRoot(root), /\(working directory: no config file or package\.json found\)$/);
  });

  it('is the directory of the file given by --config, whatever the flow and the working directory', async (t) => {
    const tree = makeTree(t, {
      'conf/settings.json': '{"logLevel": "ERROR"}',
      'project/package.json': '{}',
      'project/.flowrc.json': '{"logLevel": "DEBUG"}',
      'project/flows/nightly.ts': FLOW,
    });
    const { config, root } = await loadProject({
      cwd: join(tree, 'project'),
      flowFile: join(tree, 'project/flows/nightly.ts'),
      explicitConfig: '../conf/settings.json',
    });
    assert.deepEqual(config.config, { logLevel: 'ERROR' });
    assert.deepEqual(root, { dir: join(tree, 'conf'), reason: 'explicit-config', file: join(tree, 'conf/settings.json') });
    assert.equal(describeProjectRoot(root), `${join(tree, 'conf')} (directory of settings.json, from --config)`);
  });

  it('is searched from the working directory for a flow given by name', async (t) => {
    const tree = makeTree(t, { 'package.json': '{}', '.flowrc.yaml': 'flowsDir: jobs\n', 'src/deep/here.txt': '' });
    const cwd = join(tree, 'src/deep');
    const { config, root } = await loadProject({ cwd });
    assert.equal(config.config['flowsDir'], 'jobs');
    assert.equal(root.dir, tree);
    // Messages name it from the working directory: outside it, absolutely.
    assert.equal(flowsDirFromCwd(root, 'jobs', cwd), join(tree, 'jobs'));
  });

  it('does not take the config of the working directory for a flow given by path in another project', async (t) => {
    const tree = makeTree(t, {
      'here/package.json': '{}',
      'here/.flowrc.json': '{"runner": "sequential"}',
      'there/package.json': '{}',
      'there/flows/nightly.ts': FLOW,
    });
    const { config, root } = await loadProject({ cwd: join(tree, 'here'), flowFile: join(tree, 'there/flows/nightly.ts') });
    assert.equal(config.filepath, undefined);
    assert.equal(root.dir, join(tree, 'there'));
  });

  it('keeps absolute paths as given, and names flowsDir as the user wrote it when it reads the same from the working directory', () => {
    const root = { dir: '/srv/etl', reason: 'config' as const, file: '/srv/etl/.flowrc.json' };
    assert.equal(resolveInProject(root, '/var/lib/flow'), '/var/lib/flow');
    assert.equal(resolveInProject(root, 'state/store'), '/srv/etl/state/store');
    assert.equal(flowsDirFromCwd(root, './jobs/', '/srv/etl'), './jobs/');
    assert.equal(flowsDirFromCwd(root, 'jobs', '/srv'), 'etl/jobs');
    assert.equal(flowsDirFromCwd(root, 'jobs', '/home/cron'), '/srv/etl/jobs');
    assert.equal(flowsDirFromCwd(root, '/opt/jobs', '/home/cron'), '/opt/jobs');
  });
});
