import { createRequire, Module } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadResult, LoaderSnapshot } from './loader-hooks.js';
import { resolvedFromPrefix } from './resolution-key.js';

// A worker thread of the parallel runner loads a task's module without
// module hooks when it can: on Node 20 the first register() in a thread
// starts a loader thread for it and blocks until that thread is up, 60-80 ms
// of every worker's start here, with two more threads booting on the cores
// the workers need.
//
// It can when the main thread's hooks recorded the module (its source, already
// compiled from TypeScript) and everything the module imports is something
// Node finds by itself in the same place: built-in modules and packages,
// flowrun included. Node's CommonJS loader then compiles that source as an ES
// module, as require() of an ES module does (Node 20.19 and later): the module
// keeps its own file: URL (import.meta as in the main thread) and joins the ES
// module cache, so a later import() of it, with hooks or without, gets this
// same instance.
//
// Anything else goes to the hooks, as does any failure here:
// - a relative import may name TypeScript (tsx maps './x.js' to x.ts);
// - a dynamic import() may load TypeScript when a task runs;
// - a failed link leaves nothing in the cache;
// - a module with top-level await is refused before its body runs, and the
//   hooks' import() of it then runs it;
// - a module whose body threw stays in the cache with its error, so import()
//   throws that same error without running the body twice.

// Node's CommonJS loader compiles an ES module from a given source only
// through its private Module.prototype._compile(source, filename, 'module'),
// which require() of an ES module uses; no public API puts a module compiled
// from a source of our choosing into the ES module cache. So it is checked
// before it is used, any failure of it leaves the module to the hooks, and
// test/unit/loader/recorded-module.test.ts fails loudly if it stops doing
// what this relies on (workers would then load through the hooks: slower,
// the same).
interface CompilableModule {
  filename: string;
  _compile(source: string, filename: string, format: 'module'): unknown;
}

/** Whether this Node can compile a recorded ES module without hooks (Node 20.19 and later). */
export const compilesRecordedModules = (): boolean =>
  process.features.require_module && typeof (Module.prototype as Partial<CompilableModule>)._compile === 'function';

const DYNAMIC_IMPORT = /\bimport\s*\(/;
// Relative, absolute or a package's "imports" (#name): a file of the user's.
const NAMES_A_FILE = /^[./#]/;

const sourceText = (result: LoadResult | undefined): string | undefined => {
  if (result?.format !== 'module' || result.source === null || result.source === undefined) {
    return undefined;
  }
  return typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
};

/** Whether Node, without hooks, resolves `specifier` from the module to what the main thread's hooks did. */
const resolvesAlike = (specifier: string, recordedUrl: string, requireFromModule: NodeJS.Require): boolean => {
  if (recordedUrl.startsWith('node:')) {
    return true;
  }
  if (NAMES_A_FILE.test(specifier)) {
    return false;
  }
  // require's resolution finds the same package folder as import's; a package
  // whose exports differ between the two is left to the hooks.
  try {
    return pathToFileURL(requireFromModule.resolve(specifier)).href === recordedUrl;
  } catch {
    return false;
  }
};

/**
 * Loads a module the main thread's hooks recorded, without hooks, if it can
 * (see above). False leaves it to the hooks: import() it through them.
 */
export const loadRecordedModule = (moduleUrl: string, snapshot: LoaderSnapshot): boolean => {
  const source = sourceText(snapshot.loaded[moduleUrl]);
  if (source === undefined || !compilesRecordedModules() || !moduleUrl.startsWith('file:') || DYNAMIC_IMPORT.test(source)) {
    return false;
  }
  const file = fileURLToPath(moduleUrl);
  const requireFromModule = createRequire(file);
  const fromThisModule = resolvedFromPrefix(moduleUrl);
  for (const [key, resolved] of Object.entries(snapshot.resolved)) {
    if (key.startsWith(fromThisModule) && !resolvesAlike(key.slice(fromThisModule.length), resolved.url, requireFromModule)) {
      return false;
    }
  }
  // Stacks of TypeScript tasks point at their .ts lines (tsx's sources carry inline maps).
  process.setSourceMapsEnabled(true);
  const module = new Module(file) as unknown as CompilableModule;
  module.filename = file;
  try {
    module._compile(source, file, 'module');
    return true;
  } catch {
    return false;
  }
};
