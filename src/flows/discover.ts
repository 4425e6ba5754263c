import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
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

/** The flow modules of flowsDir, and whether it exists at all (a missing one is named as such, not as empty). */
export interface FlowFilesListing {
  /** flowsDir as the user gave it: what messages name. */
  readonly flowsDir: string;
  readonly exists: boolean;
  readonly files: string[];
}

// A relative flowsDir is named with the directory it is relative to; an
// absolute one (in a project root other than the working directory) needs none.
const inCwd = (flowsDir: string, cwd: string): string => (isAbsolute(flowsDir) ? '' : ` in ${cwd}`);

// Why flowsDir, which exists, cannot be listed: bad settings, exit 2.
const describeUnreadableFlowsDir = (flowsDir: string, cwd: string, error: unknown): UsageError => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOTDIR'
      ? 'is a file, not a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read: permission denied'
        : `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  const where = isAbsolute(flowsDir) ? '' : ` (in ${cwd})`;
  return new UsageError(`flowsDir ${flowsDir}${where} ${why}; set flowsDir to the directory that holds your flow modules.`, { cause: error });
};

// An entry is a module only if it is a file (or a link to one): a directory
// named etl.ts is a subdirectory, and subdirectories are not searched. An
// entry that cannot even be looked at is kept, so that loading it says why.
const isFileEntry = async (entry: Dirent, path: string): Promise<boolean> => {
  if (entry.isFile() || entry.isDirectory()) {
    return entry.isFile();
  }
  try {
    return (await stat(path)).isFile();
  } catch {
    return true;
  }
};

/** The flow modules directly inside flowsDir, sorted; none when it does not exist. Throws a UsageError when it cannot be read. */
export const listFlowFiles = async (flowsDir: string, cwd = process.cwd()): Promise<FlowFilesListing> => {
  const directory = resolve(cwd, flowsDir);
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { flowsDir, exists: false, files: [] };
    }
    throw describeUnreadableFlowsDir(flowsDir, cwd, error);
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (isFlowFile(entry.name) && (await isFileEntry(entry, path))) {
      files.push(path);
    }
  }
  return { flowsDir, exists: true, files: files.sort() };
};

/** Why a listing gave no flow modules, for messages: 'flows/ does not exist in /work/project'. */
export const describeNoFlowFiles = (listing: FlowFilesListing, cwd = process.cwd()): string =>
  listing.exists
    ? `no flow modules (${FLOW_FILE_EXTENSIONS.join(', ')}) in ${listing.flowsDir}/`
    : `${listing.flowsDir}/ does not exist${inCwd(listing.flowsDir, cwd)}`;

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
