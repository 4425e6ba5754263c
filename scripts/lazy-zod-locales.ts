// An esbuild plugin for the bundled zod: its error messages in other languages
// than English (`z.locales.fr()` and some sixty more, half of zod's code)
// load when one is first called, not with flowrun.
//
// Node compiles every byte of an ES module that it loads, and it does so in
// each thread: the locales were ~15 ms of every start of the CLI and of every
// worker of the parallel runner, for a feature few flows use. Each locale in
// the bundle is a function of the same name that, on its first call, requires
// zod's own CommonJS build of it from the installed zod (a dependency) and
// calls that. English stays bundled: zod sets it as the default at import.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

const LOCALES_INDEX = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
const LOCALE_EXPORT = /export \{ default as (\w+) \} from "\.\/([\w-]+)\.js";/g;
const BUNDLED_LOCALE = 'en';

const lazyLocalesModule = (indexFile: string): string => {
  const index = readFileSync(indexFile, 'utf8');
  const locales = [...index.matchAll(LOCALE_EXPORT)].map(([, name = '', file = '']) => ({ name, file }));
  // A zod that writes its index otherwise must fail the build, not lose locales.
  const exports = index.match(/^export /gm)?.length ?? 0;
  if (locales.length !== exports || !locales.some(({ name }) => name === BUNDLED_LOCALE)) {
    throw new Error(`zod's locales index (${indexFile}) no longer reads as expected: ${locales.length} of ${exports} exports understood`);
  }
  return [
    "import { createRequire } from 'node:module';",
    `import ${BUNDLED_LOCALE} from ${JSON.stringify(join(dirname(indexFile), `${BUNDLED_LOCALE}.js`))};`,
    'const requireLocale = createRequire(import.meta.url);',
    'const loadedLocales = new Map();',
    // Named like zod's own (a function's name shows in stacks and inspect).
    'const lazyLocale = (name, file) => ({ [name]: (...args) => {',
    '  let locale = loadedLocales.get(file);',
    '  if (locale === undefined) {',
    // zod's CommonJS locale is the function itself, or has it as default.
    '    const loaded = requireLocale(`zod/v4/locales/${file}.cjs`);',
    "    locale = typeof loaded === 'function' ? loaded : loaded.default;",
    '    loadedLocales.set(file, locale);',
    '  }',
    '  return locale(...args);',
    '} })[name];',
    `export { ${BUNDLED_LOCALE} };`,
    ...locales
      .filter(({ name }) => name !== BUNDLED_LOCALE)
      .map(({ name, file }) => `export const ${name} = lazyLocale(${JSON.stringify(name)}, ${JSON.stringify(file)});`),
  ].join('\n');
};

export const lazyZodLocales = (): Plugin => ({
  name: 'lazy-zod-locales',
  setup(build) {
    const indexFile = join(dirname(createRequire(import.meta.url).resolve('zod/v4/locales')), 'index.js');
    build.onLoad({ filter: LOCALES_INDEX }, (args) => (args.path === indexFile ? { contents: lazyLocalesModule(indexFile), loader: 'js', resolveDir: dirname(indexFile) } : undefined));
  },
});
