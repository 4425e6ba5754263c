// Module hooks for loading users' flow modules (registered by module-loader.ts,
// they run on Node's loader thread):
// - TypeScript (and every other module a flow imports) goes through tsx's
//   hooks, which this module loads and calls itself;
// - `import ... from 'flowrun'` resolves to the flowrun that is running, from
//   anywhere on disk, so a flow in any folder works and every flow shares one
//   copy of the engine (one run context, one set of classes);
// - a .ts or .js flow outside any package with "type": "module" is still
//   loaded as an ES module when it is written as one (tsx would hand it to the
//   CommonJS loader, which cannot load ESM that imports ESM).
//
// In the main thread the hooks also record what they resolved and loaded and
// send it back (`port`). A worker thread of the parallel runner registers them
// with that record (`snapshot`) and is served from it: it needs no tsx, whose
// start in each worker's loader thread was most of a worker's start-up. What
// the record lacks (a module a task imports for the first time) still goes
// through tsx, loaded then.
//
// This file is its own entry of the bundle: of flowrun's it imports only the
// format of its records' keys (resolution-key.ts).

import { readFile } from 'node:fs/promises';
import type { MessagePort } from 'node:worker_threads';
import { resolutionKey } from './resolution-key.js';

export interface ResolveResult {
  readonly url: string;
  readonly format?: string | null | undefined;
  readonly importAttributes?: Record<string, string> | undefined;
  readonly shortCircuit?: boolean;
}

export interface LoadResult {
  readonly format: string | null | undefined;
  readonly source?: string | ArrayBuffer | Uint8Array | null | undefined;
  readonly shortCircuit?: boolean;
}

interface HookContext {
  readonly format?: string | null | undefined;
  readonly parentURL?: string | undefined;
  readonly [key: string]: unknown;
}

type NextResolve = (specifier: string, context: HookContext) => ResolveResult | Promise<ResolveResult>;
type NextLoad = (url: string, context: HookContext) => LoadResult | Promise<LoadResult>;

interface TsxHooks {
  initialize(data: object): Promise<void> | void;
  resolve(specifier: string, context: HookContext, next: NextResolve): Promise<ResolveResult>;
  load(url: string, context: HookContext, next: NextLoad): Promise<LoadResult>;
}

/** What the main thread's hooks resolved and loaded: keys of `resolved` are from resolutionKey(). */
export interface LoaderSnapshot {
  readonly resolved: Record<string, ResolveResult>;
  readonly loaded: Record<string, LoadResult>;
}

/** A message on the main thread's port: one resolution or one load. */
export type LoaderRecord =
  | { readonly kind: 'resolved'; readonly key: string; readonly result: ResolveResult }
  | { readonly kind: 'loaded'; readonly url: string; readonly result: LoadResult };

export interface LoaderHooksData {
  readonly flowrunEntry: string;
  readonly port?: MessagePort | undefined;
  readonly snapshot?: LoaderSnapshot | undefined;
}

let flowrunEntry: string | undefined;
let port: MessagePort | undefined;
let snapshot: LoaderSnapshot | undefined;
let tsxHooks: Promise<TsxHooks> | undefined;

// tsx's hooks module, loaded on the first module that needs it. It asks for a
// data object (any, even empty) to tell this start from an old --loader one.
// (A specifier in a variable: tsx ships no types for this entry.)
const TSX_HOOKS: string = 'tsx/esm';

// On Node 20 what the loader thread imports for itself (tsx, esbuild under
// it, Node's built-in modules) goes through these same hooks: those modules
// pass straight to Node's own resolution and loading, or loading tsx would
// wait on itself. (tsx does nothing to built-in modules either.) So do
// flowrun's own built files, plain JavaScript, and what they import (their
// chunks and dependencies) other than a user's module, which they name by
// its file: URL: a worker loads flowrun's entry through the hooks when a
// task's module imports 'flowrun'.
const OWN_URL = import.meta.url;
const OWN_BUILT_FILES = OWN_URL.endsWith('.js') ? new URL('..', OWN_URL).href : undefined;
const LOADER_FILES = /^node:|\/node_modules\/(?:tsx|esbuild|@esbuild)\//;
const isOwnBuiltFile = (url: string): boolean => OWN_BUILT_FILES !== undefined && url.startsWith(OWN_BUILT_FILES);
const needsNoTransform = (url: string): boolean => LOADER_FILES.test(url) || isOwnBuiltFile(url);
const resolvesNatively = (specifier: string, parentUrl: string | undefined): boolean =>
  parentUrl !== undefined &&
  (parentUrl === OWN_URL || LOADER_FILES.test(parentUrl) || (isOwnBuiltFile(parentUrl) && !specifier.startsWith('file:')));

// In a worker, what the record lacks inside a package (most often one the
// CLI itself had loaded before the hooks existed, such as commander) is resolved
// and loaded as Node does it, as the main thread did: only TypeScript needs
// tsx, and starting it in the worker for a package's JavaScript would cost
// more than the rest of the worker's start.
const IN_PACKAGE = /\/node_modules\//;
const TYPESCRIPT = /\.[cm]?tsx?(?:[?#].*)?$/;
const isPackageJavaScript = (url: string | undefined): boolean => url !== undefined && IN_PACKAGE.test(url) && !TYPESCRIPT.test(url);

const tsx = (): Promise<TsxHooks> => {
  tsxHooks ??= (import(TSX_HOOKS) as Promise<TsxHooks>).then(async (hooks) => {
    await hooks.initialize({});
    return hooks;
  });
  return tsxHooks;
};

export const initialize = (data: LoaderHooksData): void => {
  ({ flowrunEntry, port, snapshot } = data);
  port?.unref();
};

export const resolve = async (specifier: string, context: HookContext, nextResolve: NextResolve): Promise<ResolveResult> => {
  if (specifier === 'flowrun' && flowrunEntry !== undefined) {
    // Recorded too: a worker compares it with where Node alone finds flowrun.
    port?.postMessage({ kind: 'resolved', key: resolutionKey(specifier, context.parentURL), result: { url: flowrunEntry, format: 'module' } } satisfies LoaderRecord);
    return { url: flowrunEntry, format: 'module', shortCircuit: true };
  }
  if (resolvesNatively(specifier, context.parentURL)) {
    return nextResolve(specifier, context);
  }
  const key = resolutionKey(specifier, context.parentURL);
  const recorded = snapshot?.resolved[key];
  if (recorded !== undefined) {
    return { ...recorded, shortCircuit: true };
  }
  if (snapshot !== undefined && isPackageJavaScript(context.parentURL)) {
    return nextResolve(specifier, context);
  }
  const result = await asModuleWhenWrittenAsOne(await (await tsx()).resolve(specifier, context, nextResolve));
  port?.postMessage({ kind: 'resolved', key, result: { url: result.url, format: result.format, importAttributes: result.importAttributes } } satisfies LoaderRecord);
  return result;
};

const USER_SCRIPT = /^file:(?!.*\/node_modules\/).*\.(?:ts|tsx|js|jsx)(?:\?.*)?$/;
const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s)/m;

// When an ES module imports such a file, tsx resolves it to a URL of its own
// (`b.ts%3Ftsx-commonjs-export-preparse=1?...`) whose code is then
// require()d: its `import ... from 'flowrun'` becomes require('flowrun'),
// which only these hooks can resolve, and the flow fails with Node's raw
// "Cannot find module 'flowrun'". A file written as an ES module is resolved
// as one instead, by its plain URL.
const TSX_QUERY = /(?:%3Ftsx-|\?).*$/;

const asModuleWhenWrittenAsOne = async (result: ResolveResult): Promise<ResolveResult> => {
  if (result.format !== 'commonjs' || !result.url.startsWith('file:')) {
    return result;
  }
  const url = result.url.replace(TSX_QUERY, '');
  if (!USER_SCRIPT.test(url)) {
    return result;
  }
  const source = await readFile(new URL(url), 'utf8').catch(() => undefined);
  return source !== undefined && ESM_SYNTAX.test(source) ? { ...result, url, format: 'module' } : result;
};

const loadThroughTsx = async (url: string, context: HookContext, nextLoad: NextLoad): Promise<LoadResult> => {
  const hooks = await tsx();
  const result = await hooks.load(url, context, nextLoad);
  if (result.format !== 'commonjs' || !USER_SCRIPT.test(url)) {
    return result;
  }
  const source = await readFile(new URL(url), 'utf8');
  return ESM_SYNTAX.test(source) ? hooks.load(url, { ...context, format: 'module' }, nextLoad) : result;
};

export const load = async (url: string, context: HookContext, nextLoad: NextLoad): Promise<LoadResult> => {
  if (needsNoTransform(url)) {
    return nextLoad(url, context);
  }
  const recorded = snapshot?.loaded[url];
  if (recorded !== undefined) {
    return { ...recorded, shortCircuit: true };
  }
  if (snapshot !== undefined && isPackageJavaScript(url)) {
    return nextLoad(url, context);
  }
  const result = await loadThroughTsx(url, context, nextLoad);
  port?.postMessage({ kind: 'loaded', url, result: { format: result.format, source: result.source } } satisfies LoaderRecord);
  return result;
};
