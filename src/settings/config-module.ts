import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';

// A config file that is a module (.js, .mjs, .cjs, .ts, .mts): its settings
// are its default export, or its module.exports in CommonJS.
//
// Every kind loads through tsx rather than Node alone. Node refuses
// `export default` in a .js file of a `"type": "commonjs"` package, while tsx
// compiles it, as it does the flows. But where the package is CommonJS (or
// there is no package.json) tsx compiles ESM syntax to CommonJS, so the
// default export arrives wrapped: import() gives the namespace
// { default: module.exports }, and module.exports is
// { __esModule: true, default: <the settings> }. TypeScript's and Babel's
// CommonJS output (a .cjs file written by a compiler) has the same shape.

/** How a module config file is named in messages. */
export type ConfigLabel = (filepath: string) => string;

const EXAMPLE = "export default { runner: 'sequential' }";

// `__esModule` is the marker every ESM-to-CommonJS compiler sets, and only
// they do: unwrapping on it alone (not on "an object whose one key is
// 'default'") means a file whose settings really have a key 'default' is
// read as written, and its unknown key is reported, never guessed away.
const isCompiledEsm = (value: unknown): value is { readonly default?: unknown } =>
  typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true;

const noDefaultExport = (label: string, exports: readonly string[]): ConfigError => {
  const found = exports.length > 0 ? `it exports only ${exports.map((name) => `'${name}'`).join(', ')}` : 'it exports nothing';
  return new ConfigError(`config file ${label} has no default export (${found}); write its settings as ${EXAMPLE}.`);
};

/** The settings object of a loaded module namespace (exported for tests). */
export const settingsOfModule = (namespace: Readonly<Record<string, unknown>>, label: string): unknown => {
  if (!Object.hasOwn(namespace, 'default')) {
    throw noDefaultExport(label, Object.keys(namespace));
  }
  const exported = namespace['default'];
  if (!isCompiledEsm(exported)) {
    return exported;
  }
  if (!Object.hasOwn(exported, 'default')) {
    throw noDefaultExport(label, Object.keys(exported));
  }
  return exported.default;
};

// tsx compiles with esbuild, whose syntax error reaches us as text:
// "Transform failed with 1 error:\n<file>:<line>:<column>: ERROR: <what>",
// the column counted from 0. Node's own SyntaxError (a .mjs or .cjs file)
// names no line.
const describeSyntaxError = (error: unknown): string | undefined => {
  const message = error instanceof Error ? error.message : '';
  const match = /:(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (match !== null) {
    const [, line, column = '0', what] = match;
    return `${what} at line ${line}, column ${Number(column) + 1}`;
  }
  return error instanceof SyntaxError ? error.message : undefined;
};

/** A cosmiconfig loader for module config files, naming them with `label` in errors. */
export const createModuleConfigLoader =
  (label: ConfigLabel) =>
  async (filepath: string): Promise<unknown> => {
    const { tsImport } = await import('tsx/esm/api');
    let namespace: Record<string, unknown>;
    try {
      namespace = (await tsImport(pathToFileURL(filepath).href, import.meta.url)) as Record<string, unknown>;
    } catch (error) {
      const syntax = describeSyntaxError(error);
      if (syntax !== undefined) {
        throw new ConfigError(`config file ${label(filepath)} is malformed: ${syntax}.`, error);
      }
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new ConfigError(`config file ${label(filepath)} threw while loading: ${message}.`, error);
    }
    return settingsOfModule(namespace, label(filepath));
  };
