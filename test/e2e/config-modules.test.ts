import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';

// A config file written as a module (`export default {...}`) is read the same
// whatever the project's package.json says: "type": "module", "type":
// "commonjs", or no package.json at all (where TypeScript and .js files are
// compiled to CommonJS and the default export arrives wrapped).

const root = mkdtempSync(join(tmpdir(), 'flowrun-config-modules-'));
after(() => rmSync(root, { recursive: true, force: true }));

const PACKAGES = {
  module: '{"name": "p", "type": "module"}',
  commonjs: '{"name": "p", "type": "commonjs"}',
  'no package.json': undefined,
} as const;

let projects = 0;
const makeProject = (packageJson: string | undefined, files: Readonly<Record<string, string>>): string => {
  const project = join(root, `p${(projects += 1)}`);
  mkdirSync(project);
  if (packageJson !== undefined) {
    writeFileSync(join(project, 'package.json'), packageJson);
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(project, name, '..'), { recursive: true });
    writeFileSync(join(project, name), text);
  }
  return project;
};

const ESM_SETTINGS = "export default { runner: 'sequential', logLevel: 'warning' };\n";

// A few CLI processes at a time: a 2-core machine runs other test files beside.
describe('a config file that is a module', { concurrency: 3 }, () => {
  for (const file of ['flow.config.ts', '.flowrc.ts', '.flowrc.js', 'flow.config.js']) {
    for (const [kind, packageJson] of Object.entries(PACKAGES)) {
      it(`reads ${file} with export default, ${kind === 'no package.json' ? 'with no package.json' : `in a "type": "${kind}" package`}`, async () => {
        const project = makeProject(packageJson, { [file]: ESM_SETTINGS });
        const result = await runCli(['config'], { cwd: project });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '');
        assert.ok(result.stdout.includes(`runner            = "sequential" (from ${file})`), result.stdout);
        assert.ok(result.stdout.includes(`logLevel          = "WARNING" (from ${file})`), result.stdout);
      });
    }
  }

  it('reads .mjs and .mts, module.exports, and the exports of a compiler (TypeScript, Babel) in a .cjs file', async () => {
    const projects = {
      '.flowrc.mjs': makeProject(PACKAGES.commonjs, { '.flowrc.mjs': ESM_SETTINGS }),
      '.flowrc.mts': makeProject(undefined, { '.flowrc.mts': ESM_SETTINGS }),
      '.flowrc.cjs': makeProject(PACKAGES.module, { '.flowrc.cjs': "module.exports = { runner: 'sequential' };\n" }),
      'flow.config.cjs': makeProject(undefined, {
        'flow.config.cjs': "'use strict';\nObject.defineProperty(exports, '__esModule', { value: true });\nexports.default = { runner: 'sequential' };\n",
      }),
    };
    for (const [file, project] of Object.entries(projects)) {
      const result = await runCli(['config'], { cwd: project });
      assert.equal(result.stderr, '', file);
      assert.ok(result.stdout.includes(`runner            = "sequential" (from ${file})`), result.stdout);
    }
  });

  it('applies a flow.config.ts to a run in a "type": "commonjs" package', async () => {
    const project = makeProject(PACKAGES.commonjs, {
      'flow.config.ts': "export default { runner: 'sequential', flows: { greet: { params: { name: 'from the config' } } } };\n",
      'flows/greet.ts':
        "import { flow, z } from 'flowrun';\nexport default flow({ name: 'greet', params: z.object({ name: z.string() }) }, async ({ name }) => {\n  console.log(`hello ${name}`);\n});\n",
    });
    const result = await runCli(['run', 'greet'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hello from the config\n');
    assert.match(result.stderr, /Starting 'SequentialTaskRunner'/);
    assert.doesNotMatch(result.stderr, /warning/);
  });

  it('says so when the settings sit under a key "default", rather than ignoring them quietly', async () => {
    const project = makeProject(PACKAGES.module, { '.flowrc.ts': "export default { default: { runner: 'sequential' } };\n" });
    const result = await runCli(['config'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warning: config file \.flowrc\.ts: unknown key 'default' is ignored, with every setting under it; settings go at the top level/);
  });

  it('refuses a module with no default export, naming what it exports', async () => {
    const project = makeProject(PACKAGES.commonjs, { '.flowrc.ts': "export const runner = 'sequential';\n" });
    const result = await runCli(['config'], { cwd: project });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "error: config file .flowrc.ts has no default export (it exports only 'runner'); write its settings as export default { runner: 'sequential' }.\n",
    );
  });

  it('names the line of a syntax error, and an exception thrown while the file loads', async () => {
    const broken = makeProject(PACKAGES.module, { '.flowrc.ts': "export default {\n  runner: 'sequential'\n" });
    const throwing = makeProject(PACKAGES.module, { '.flowrc.js': "throw new Error('no settings today');\n" });
    const [syntax, thrown] = await Promise.all([runCli(['config'], { cwd: broken }), runCli(['config'], { cwd: throwing })]);
    assert.equal(syntax.code, 2);
    assert.equal(syntax.stderr, 'error: config file .flowrc.ts is malformed: Expected "}" but found end of file at line 3, column 1.\n');
    assert.equal(thrown.code, 2);
    assert.equal(thrown.stderr, 'error: config file .flowrc.js threw while loading: no settings today.\n');
  });
});
