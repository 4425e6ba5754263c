import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

// Users' flow modules are TypeScript or JavaScript and need no build step:
// tsx's loader is registered once, on the first flow import, together with
// our hooks (loader-hooks.ts). Nothing here runs for `flow --help`.

// Under tests the sources run as .ts through tsx; once built, as .js.
const OWN_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

let registration: Promise<void> | undefined;

const registerLoaders = async (): Promise<void> => {
  // tsx's hooks module is registered directly, as its register() does it,
  // rather than through 'tsx/esm/api': that API loads esbuild and the rest of
  // tsx into this thread too (50 ms per thread, paid again by every worker of
  // the parallel runner), while only the loader thread transforms anything.
  // The data object must be present (tsx refuses a bare --loader start); its
  // fields (tsconfig, namespace) are optional and left to their defaults.
  process.setSourceMapsEnabled(true);
  register('tsx/esm', import.meta.url, { data: {} });
  register(new URL(`./loader-hooks${OWN_EXTENSION}`, import.meta.url), {
    data: { flowrunEntry: new URL(`../index${OWN_EXTENSION}`, import.meta.url).href },
  });
};

export const ensureFlowLoader = (): Promise<void> => {
  registration ??= registerLoaders();
  return registration;
};

/** Imports a user's module by path, with TypeScript support. */
export const importUserModule = async (path: string): Promise<Record<string, unknown>> => {
  // All of flowrun (what users' modules import as 'flowrun') is loaded first,
  // before the hooks exist: once they do, every import is a round trip to
  // the loader thread, which made importing a one-task flow take 50-90 ms.
  // (A worker thread does the same in worker.ts.)
  await import('../index.js');
  await ensureFlowLoader();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
};
