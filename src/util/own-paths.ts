import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Where flowrun's own files are. The built package is bundled (scripts/build.ts),
// so a module's code may sit in an entry file or in a shared chunk at another
// depth than its source: paths are taken from the package root, found by
// walking up to flowrun's package.json, never relative to import.meta.url.

const findPackageRoot = (from: string): string => {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'flowrun') {
      return dir;
    }
    if (dirname(dir) === dir) {
      throw new Error(`flowrun's package.json was not found above ${from}`);
    }
  }
};

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

// Under tests the sources run as TypeScript through tsx; once built, as JavaScript from dist/.
export const RUNNING_SOURCES = import.meta.url.endsWith('.ts');

/** The file of one of flowrun's own modules, by its path under src/ without extension ('loader/loader-hooks'). */
export const ownModulePath = (module: string): string =>
  RUNNING_SOURCES ? join(PACKAGE_ROOT, 'src', `${module}.ts`) : join(PACKAGE_ROOT, 'dist', `${module}.js`);

export const ownModuleUrl = (module: string): URL => pathToFileURL(ownModulePath(module));
