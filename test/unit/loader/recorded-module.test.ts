import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { LoaderSnapshot, LoadResult, ResolveResult } from '../../../src/loader/loader-hooks.js';
import { Module } from 'node:module';
import { compilesRecordedModules, loadRecordedModule } from '../../../src/loader/recorded-module.js';
import { resolutionKey } from '../../../src/loader/resolution-key.js';

// A worker loads a module from the main thread's record without module hooks
// only when Node alone would load what it imports the same way; otherwise it
// leaves the module to the hooks, having run none of it (or, if its body ran
// and threw, leaving that error for the hooks' import() to give again).
//
// Each module's file on disk says 'disk' and its recorded source 'record', so
// a test can tell which one ran; the bodies note each run in a global.

declare global {
  var recordedModuleRuns: string[] | undefined;
}

const root = mkdtempSync(join(tmpdir(), 'flowrun-recorded-'));
after(() => rmSync(root, { recursive: true, force: true }));

// A package the modules can import, as a user's node_modules would hold it.
const packageDir = join(root, 'node_modules', 'tiny-package');
mkdirSync(packageDir, { recursive: true });
writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'tiny-package', type: 'module', main: 'index.js' }));
writeFileSync(join(packageDir, 'index.js'), 'export const tiny = 42;\n');
const PACKAGE_URL = pathToFileURL(join(packageDir, 'index.js')).href;

// A file of the user's beside the modules, which Node loads without hooks.
writeFileSync(join(root, 'helper.cjs'), 'module.exports = { helper: 1 };\n');
const HELPER_URL = pathToFileURL(join(root, 'helper.cjs')).href;

const runs = (): string[] => (globalThis.recordedModuleRuns ??= []);
const runsOf = (name: string): number => runs().filter((run) => run === name).length;

interface RecordedModule {
  readonly url: string;
  readonly snapshot: LoaderSnapshot;
}

/** A TypeScript file on disk, and a snapshot recording a different source for it. */
const recordModule = (
  name: string,
  body: string,
  imports: Record<string, string> = {},
  format: LoadResult['format'] = 'module',
): RecordedModule => {
  const file = join(root, `${name}.ts`);
  writeFileSync(file, "export const origin: string = 'disk';\n");
  const url = pathToFileURL(file).href;
  const source = `(globalThis.recordedModuleRuns ??= []).push(${JSON.stringify(name)});\n${body}\nexport const origin = 'record';\n`;
  const resolved: Record<string, ResolveResult> = {};
  for (const [specifier, target] of Object.entries(imports)) {
    resolved[resolutionKey(specifier, url)] = { url: target, format: 'module' };
  }
  return { url, snapshot: { resolved, loaded: { [url]: { format, source } } } };
};

describe("Node's private Module.prototype._compile, which the workers' fast path relies on", () => {
  it('is there on every Node that can require() an ES module (20.19 and later), or the workers load through the hooks', () => {
    // If this fails, Node has changed what recorded-module.ts relies on:
    // workers still work (through the hooks), but start slower. Look for a
    // public way to compile a module from a given source, or update the guard.
    assert.equal(compilesRecordedModules(), process.features.require_module);
  });

  it('leaves every module to the hooks, unrun, where it is missing', () => {
    const prototype = Module.prototype as unknown as Record<string, unknown>;
    const compile = prototype['_compile'];
    const { url, snapshot } = recordModule('without-compile', '');
    prototype['_compile'] = undefined;
    try {
      assert.equal(compilesRecordedModules(), false);
      assert.equal(loadRecordedModule(url, snapshot), false);
    } finally {
      prototype['_compile'] = compile;
    }
    assert.equal(runsOf('without-compile'), 0);
  });
});

describe('loadRecordedModule', { skip: process.features.require_module ? false : 'this Node cannot require() an ES module' }, () => {
  it('runs the recorded source of a module that imports built-ins and packages, once, as the module import() then gets', async () => {
    const { url, snapshot } = recordModule(
      'plain',
      "import { sep } from 'node:path';\nimport { tiny } from 'tiny-package';\nexport const seen = `${sep}${tiny}`;\nexport const ownUrl = import.meta.url;",
      { 'node:path': 'node:path', 'tiny-package': PACKAGE_URL },
    );
    assert.equal(loadRecordedModule(url, snapshot), true);
    assert.equal(runsOf('plain'), 1);
    const loaded = (await import(url)) as { origin: string; seen: string; ownUrl: string };
    assert.equal(loaded.origin, 'record');
    assert.equal(loaded.seen, '/42');
    assert.equal(loaded.ownUrl, url);
    assert.equal(runsOf('plain'), 1);
  });

  it('accepts a recorded source given as bytes', () => {
    const { url, snapshot } = recordModule('bytes', '');
    const source = snapshot.loaded[url]?.source;
    assert.equal(typeof source, 'string');
    const bytes = new TextEncoder().encode(source as string);
    assert.equal(loadRecordedModule(url, { ...snapshot, loaded: { [url]: { format: 'module', source: bytes } } }), true);
    assert.equal(runsOf('bytes'), 1);
  });

  const leftToHooks: [string, string, Record<string, string>, LoadResult['format']?][] = [
    ['a relative import, even one Node alone would load the same way (the hooks may load a file of the user\'s otherwise)', "import './helper.cjs';", { './helper.cjs': HELPER_URL }],
    ['a dynamic import(), which may load TypeScript when a task runs', "export const later = () => import('node:os');", {}],
    ['a package that Node alone would find elsewhere', "import { tiny } from 'tiny-package';\nexport { tiny };", { 'tiny-package': 'file:///elsewhere/node_modules/tiny-package/index.js' }],
    ['a package that Node alone cannot find', "import 'missing-package';", { 'missing-package': 'file:///elsewhere/node_modules/missing-package/index.js' }],
    ['a module recorded as CommonJS', 'module.exports = {};', {}, 'commonjs'],
  ];
  for (const [what, body, imports, format] of leftToHooks) {
    it(`leaves to the hooks, unrun, ${what}`, () => {
      const name = `left-${leftToHooks.findIndex(([other]) => other === what)}`;
      const { url, snapshot } = recordModule(name, body, imports, format);
      assert.equal(loadRecordedModule(url, snapshot), false);
      assert.equal(runsOf(name), 0);
    });
  }

  it('leaves to the hooks a module that was not recorded', () => {
    const { url } = recordModule('unrecorded', '');
    assert.equal(loadRecordedModule(url, { resolved: {}, loaded: {} }), false);
    assert.equal(runsOf('unrecorded'), 0);
  });

  it('leaves a module with top-level await unrun, and import() then runs it once', async () => {
    const { url, snapshot } = recordModule('awaits', 'export const waited = await Promise.resolve(7);');
    assert.equal(loadRecordedModule(url, snapshot), false);
    assert.equal(runsOf('awaits'), 0);
    const loaded = (await import(url)) as { origin: string; waited: number };
    assert.equal(loaded.waited, 7);
    assert.equal(runsOf('awaits'), 1);
  });

  it('leaves the error of a module whose body threw for import() to give again, without running it twice', async () => {
    const { url, snapshot } = recordModule('throws', "throw new Error('broken at the top');");
    assert.equal(loadRecordedModule(url, snapshot), false);
    assert.equal(runsOf('throws'), 1);
    await assert.rejects(import(url), /broken at the top/);
    assert.equal(runsOf('throws'), 1);
  });
});
