// `npm run build` (and `prepare`, so `npm install` leaves a working `flow`):
// type declarations from tsc, JavaScript from esbuild.
//
// The JavaScript is bundled because start-up is a cost every run pays, and on
// Node 20 it is mostly the cost of loading many small modules: flowrun's own
// hundred-odd files and zod's hundred more took ~110 ms to import, and every
// worker of the parallel runner imports them again. Bundled, each entry loads
// a few files. Code splitting keeps the lazy parts (commands, the engine,
// piscina's runner) lazy and gives every entry the same module instances.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lazyZodLocales } from './lazy-zod-locales.js';

const root = new URL('..', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> };

rmSync(new URL('dist', root), { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const declarations = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (declarations.status !== 0) {
  process.exit(declarations.status ?? 1);
}

// zod is bundled too: its hundred modules are the larger part of loading
// flowrun. (Its types still come from the zod package, the same version.)
// The other dependencies load from node_modules, most of them only on the
// paths that need them.
const BUNDLED = new Set(['zod']);

await build({
  absWorkingDir: fileURLToPath(root),
  // Every file Node loads by path rather than by import: the package's entry,
  // the CLI, the entries of worker threads and the module hooks of the loader thread.
  entryPoints: ['src/index.ts', 'src/cli/main.ts', 'src/runners/parallel/worker.ts', 'src/history/writer-thread.ts', 'src/loader/loader-hooks.ts'],
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(manifest.dependencies).filter((name) => !BUNDLED.has(name)),
  // Less to parse at every start; names are kept (no identifier mangling),
  // so stacks still name flowrun's functions.
  minifyWhitespace: true,
  minifySyntax: true,
  // `flow --debug` prints stacks with these (bin/flow.js turns them on for
  // --debug only: reading them costs start-up), so that flowrun's frames name
  // src/*.ts lines rather than minified chunks. Linked: Node finds a map
  // through the comment at the end of its file.
  sourcemap: 'linked',
  sourcesContent: true,
  logLevel: 'warning',
  plugins: [lazyZodLocales()],
});

// The maps keep the text of flowrun's own sources, which the package does not
// ship (only bin/ and dist/), so that a debugger can still show them; not
// that of zod's, three quarters of it, which the installed zod has on disk.
const dist = new URL('dist/', root);
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.js.map')) {
    const path = new URL(file, dist);
    const map = JSON.parse(readFileSync(path, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    map.sourcesContent = map.sourcesContent?.map((content, index) => (map.sources[index]?.includes('node_modules/') ? null : content));
    writeFileSync(path, JSON.stringify(map));
  }
}
