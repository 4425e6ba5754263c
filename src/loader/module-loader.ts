import Module, { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { ownModuleUrl, RUNNING_SOURCES } from '../util/own-paths.js';
import type { LoadResult, LoaderHooksData, LoaderRecord, LoaderSnapshot, ResolveResult } from './loader-hooks.js';

// Users' flow modules are TypeScript or JavaScript and need no build step:
// our module hooks (loader-hooks.ts, which call tsx's) are registered once,
// on the first flow import. Nothing here runs for `flow --help`.

// What the main thread's hooks resolved and loaded, for the parallel runner's
// workers. Sources beyond this many bytes are not kept: a worker loads those
// itself again (TypeScript through tsx), which is slower but the same.
const MOST_RECORDED_SOURCE_BYTES = 32 * 1024 * 1024;

const recorded = { resolved: {} as Record<string, ResolveResult>, loaded: {} as Record<string, LoadResult>, sourceBytes: 0 };

const record = (message: LoaderRecord): void => {
  if (message.kind === 'resolved') {
    recorded.resolved[message.key] = message.result;
    return;
  }
  const { source } = message.result;
  const bytes = typeof source === 'string' ? source.length * 2 : (source?.byteLength ?? 0);
  if (recorded.sourceBytes + bytes <= MOST_RECORDED_SOURCE_BYTES) {
    recorded.sourceBytes += bytes;
    recorded.loaded[message.url] = message.result;
  }
};

/** What this thread's module hooks have resolved and loaded so far (empty before the first flow import). */
export const takeLoaderSnapshot = (): LoaderSnapshot => ({ resolved: { ...recorded.resolved }, loaded: { ...recorded.loaded } });

// A CommonJS flow module (`require('flowrun')`, in a file outside any
// "type": "module" package) is resolved by Node's CommonJS loader, which the
// module hooks do not reach on Node 20: it is sent to the same entry, the
// running flowrun, which Node 20.19 and later can require() though it is an
// ES module (one instance with the imported one: one engine, one context).
interface ResolvingModule {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
}

const resolveFlowrunForRequire = (entryUrl: string): void => {
  const loader = Module as unknown as ResolvingModule;
  const resolveFilename = loader._resolveFilename;
  const entryPath = fileURLToPath(entryUrl);
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'flowrun' ? entryPath : resolveFilename.call(this, request, ...rest);
  };
};

let registered = false;

/**
 * Registers the hooks, once per thread. The main thread has them record what
 * they do; a worker thread passes the main thread's snapshot to be served from.
 */
export const ensureFlowLoader = (snapshot?: LoaderSnapshot): void => {
  if (registered) {
    return;
  }
  registered = true;
  // Stacks of TypeScript tasks point at their .ts lines (tsx's sources carry inline maps).
  process.setSourceMapsEnabled(true);
  const flowrunEntry = ownModuleUrl('index').href;
  // From the sources (under tests) the hooks module itself is TypeScript,
  // which a worker's loader thread can read only once tsx is registered.
  if (RUNNING_SOURCES) {
    register('tsx/esm', import.meta.url, { data: {} });
  }
  resolveFlowrunForRequire(flowrunEntry);
  if (snapshot !== undefined) {
    register(ownModuleUrl('loader/loader-hooks'), { data: { flowrunEntry, snapshot } satisfies LoaderHooksData });
    return;
  }
  const { port1, port2 } = new MessageChannel();
  port1.on('message', record);
  // The records must not keep the process alive.
  port1.unref();
  register(ownModuleUrl('loader/loader-hooks'), { data: { flowrunEntry, port: port2 } satisfies LoaderHooksData, transferList: [port2] });
};

/** Imports a user's module by path, with TypeScript support. */
export const importUserModule = async (path: string): Promise<Record<string, unknown>> => {
  // All of flowrun (what users' modules import as 'flowrun') is loaded first,
  // by the very file 'flowrun' resolves to, before the hooks exist: once they
  // do, every import is a round trip to the loader thread, which made
  // importing a one-task flow take 50-90 ms. (A worker does the same.)
  await import(ownModuleUrl('index').href);
  ensureFlowLoader();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
};
