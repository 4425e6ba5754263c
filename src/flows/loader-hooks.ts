// Module hooks for loading users' flow modules (registered by module-loader.ts,
// they run on Node's loader thread):
// - `import ... from 'flowrun'` resolves to the flowrun that is running, from
//   anywhere on disk, so a flow in any folder works and every flow shares one
//   copy of the engine (one run context, one set of classes);
// - a .ts or .js flow outside any package with "type": "module" is still
//   loaded as an ES module when it is written as one (tsx would hand it to the
//   CommonJS loader, which cannot load ESM that imports ESM).

import { readFile } from 'node:fs/promises';

interface ResolveResult {
  readonly url: string;
  readonly format?: string | null | undefined;
  readonly shortCircuit?: boolean;
}

interface LoadResult {
  readonly format: string | null | undefined;
  readonly source?: string | ArrayBuffer | Uint8Array | null | undefined;
  readonly shortCircuit?: boolean;
}

interface HookContext {
  readonly format?: string | null | undefined;
  readonly [key: string]: unknown;
}

let flowrunEntry: string | undefined;

export const initialize = (data: { readonly flowrunEntry: string }): void => {
  flowrunEntry = data.flowrunEntry;
};

export const resolve = async (
  specifier: string,
  context: HookContext,
  nextResolve: (specifier: string, context: HookContext) => Promise<ResolveResult>,
): Promise<ResolveResult> => {
  if (specifier === 'flowrun' && flowrunEntry !== undefined) {
    return { url: flowrunEntry, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
};

const USER_SCRIPT = /^file:(?!.*\/node_modules\/).*\.(?:ts|tsx|js|jsx)(?:\?.*)?$/;
const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s)/m;

export const load = async (
  url: string,
  context: HookContext,
  nextLoad: (url: string, context: HookContext) => Promise<LoadResult>,
): Promise<LoadResult> => {
  const result = await nextLoad(url, context);
  if (result.format !== 'commonjs' || !USER_SCRIPT.test(url)) {
    return result;
  }
  const source = await readFile(new URL(url), 'utf8');
  return ESM_SYNTAX.test(source) ? nextLoad(url, { ...context, format: 'module' }) : result;
};
