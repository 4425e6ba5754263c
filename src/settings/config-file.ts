import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mayHaveConfigFile } from './config-presence.js';
import { createModuleConfigLoader } from './config-module.js';
import { findJsonErrorPosition } from './json-error-position.js';
import { ConfigError } from '../errors.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { displayPath } from '../util/display-path.js';

// Finds and reads the config file through cosmiconfig under the name `flow`:
// .flowrc (JSON or YAML), .flowrc.json|yaml|yml|js|mjs|cjs|ts|mts,
// flow.config.js|mjs|cjs|ts|mts, or the `flow` key of package.json, searched
// from `searchFrom` (the flow file's directory when the flow is given by
// path, else the working directory: project-root.ts) up to the nearest
// directory with a package.json. JavaScript and
// TypeScript files load through tsx, as flows do (config-module.ts).
// cosmiconfig is imported only here.

export interface LoadedConfig {
  /** The file read, or undefined when there is none. */
  readonly filepath: string | undefined;
  /** The file as the user sees it in messages: relative to the working directory. */
  readonly label: string;
  readonly config: Readonly<Record<string, unknown>>;
}

const MODULE_NAME = 'flow';

const SEARCH_PLACES = [
  'package.json',
  '.flowrc',
  '.flowrc.json',
  '.flowrc.yaml',
  '.flowrc.yml',
  '.flowrc.js',
  '.flowrc.mjs',
  '.flowrc.cjs',
  '.flowrc.ts',
  '.flowrc.mts',
  'flow.config.js',
  'flow.config.mjs',
  'flow.config.cjs',
  'flow.config.ts',
  'flow.config.mts',
] as const;

const NO_CONFIG: LoadedConfig = { filepath: undefined, label: '(none)', config: {} };

// One line from a parse error, with the line (and column) where it is:
// js-yaml gives `reason` and `mark`; parse-json a message and a code frame
// whose `>` marks the line.
export const describeLoadError = (error: unknown): string => {
  const { reason, mark } = error as { reason?: string; mark?: { line: number; column: number } };
  if (typeof reason === 'string' && mark !== undefined) {
    return `${reason} at line ${mark.line + 1}, column ${mark.column + 1}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n');
  const marked = lines.map((line) => /^>\s*(\d+)\s*\|/.exec(line)?.[1]).find((line) => line !== undefined);
  const detail =
    lines
      .map((line) => line.trim())
      .find((line) => line.length > 0 && !/^(?:JSON|YAML) Error in /.test(line) && !/^[>|\d]/.test(line)) ?? 'unreadable';
  const withoutEcho = detail.replace(/ while parsing .*$/, '');
  return marked === undefined ? withoutEcho : `${withoutEcho} (line ${marked})`;
};

// Node 20 names no position for some JSON errors: find the line ourselves.
const withJsonPosition = (description: string, file: string): string => {
  if (/\bline \d+/.test(description) || !file.endsWith('.json')) {
    return description;
  }
  let position: ReturnType<typeof findJsonErrorPosition>;
  try {
    position = findJsonErrorPosition(readFileSync(file, 'utf8'));
  } catch {
    return description;
  }
  return position === undefined ? description : `${description} (line ${position.line}, column ${position.column})`;
};

export const loadConfigFile = async (explicitPath: string | undefined, cwd = process.cwd(), searchFrom = cwd): Promise<LoadedConfig> => {
  if (explicitPath === undefined && !mayHaveConfigFile(searchFrom, SEARCH_PLACES, MODULE_NAME)) {
    return NO_CONFIG;
  }
  const { cosmiconfig } = await import('cosmiconfig');
  const loadModule = createModuleConfigLoader((filepath) => displayPath(filepath, cwd));
  const explorer = cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    loaders: { '.js': loadModule, '.mjs': loadModule, '.cjs': loadModule, '.ts': loadModule, '.mts': loadModule },
    searchPlaces: [...SEARCH_PLACES],
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    // --config is relative to the working directory; cosmiconfig would take process.cwd().
    result = explicitPath === undefined ? await explorer.search(searchFrom) : await explorer.load(resolve(cwd, explicitPath));
  } catch (error) {
    if (error instanceof ConfigError) {
      throw error;
    }
    const code = (error as { code?: string }).code;
    if (explicitPath !== undefined && code === 'ENOENT') {
      throw new ConfigError(`config file ${explicitPath} (from --config) does not exist; check the path.`, error);
    }
    const file = (error as { filepath?: string }).filepath ?? explicitPath ?? 'the config file';
    throw new ConfigError(`config file ${displayPath(file, cwd)} is malformed: ${withJsonPosition(describeLoadError(error), file)}`, error);
  }
  if (result === null || result.isEmpty === true) {
    return { filepath: result?.filepath, label: result ? displayPath(result.filepath, cwd) : '(none)', config: {} };
  }
  const label = displayPath(result.filepath, cwd);
  if (!isPlainObject(result.config)) {
    throw new ConfigError(`config file ${label} must hold an object of settings (e.g. runner: sequential), got ${typeof result.config}.`);
  }
  return { filepath: result.filepath, label, config: result.config };
};
