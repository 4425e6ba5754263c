import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { adoptFlowName, isFlow, type Flow } from './flow.js';
import { importFlowModule } from './import-flow-module.js';
import { displayPath } from '../util/display-path.js';

export const FLOW_FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** A flow found in a module. */
export interface FoundFlow {
  readonly flow: Flow;
  /** The module's path relative to the working directory. */
  readonly file: string;
  readonly exportName: string;
}

export const isFlowFile = (name: string): boolean =>
  FLOW_FILE_EXTENSIONS.includes(extname(name)) && !name.endsWith('.d.ts') && !name.startsWith('_') && !name.startsWith('.');

/** The flow modules directly inside flowsDir, sorted; none when it does not exist. */
export const listFlowFiles = async (flowsDir: string, cwd = process.cwd()): Promise<string[]> => {
  const directory = join(cwd, flowsDir);
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch {
    return [];
  }
  return entries.filter(isFlowFile).sort().map((entry) => join(directory, entry));
};

// The flows a module exports. One with no name of its own takes its export's
// name, or its file's for a default export.
export const getModuleFlows = (module: Readonly<Record<string, unknown>>, path: string, cwd = process.cwd()): FoundFlow[] => {
  const file = displayPath(path, cwd);
  const found: FoundFlow[] = [];
  for (const [exportName, value] of Object.entries(module)) {
    if (!isFlow(value)) {
      continue;
    }
    adoptFlowName(value, exportName === 'default' ? basename(path, extname(path)) : exportName);
    // The same flow exported twice (`export default etl; export { etl }`) is one flow.
    if (!found.some((item) => item.flow === value)) {
      found.push({ flow: value, file, exportName });
    }
  }
  return found;
};

export const loadModuleFlows = async (path: string, cwd = process.cwd()): Promise<FoundFlow[]> =>
  getModuleFlows(await importFlowModule(path, cwd), path, cwd);
