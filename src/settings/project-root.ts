import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { displayPath } from '../util/display-path.js';

// The project root of API.md section 5: `storeDir` and `flowsDir` are
// relative to it, so that cron can run `flow run /srv/etl/flows/nightly.ts`
// from $HOME and still use /srv/etl/.flowrc.json and /srv/etl/.flow. It is
// the directory of the config file in use (given by --config, or found),
// else that of the nearest package.json, else the working directory. Both
// searches start in the flow file's directory when the flow is given by
// path, else in the working directory.

/** Why a directory is the project root: `flow config` says so. */
export type ProjectRootReason = 'explicit-config' | 'config' | 'package' | 'cwd';

export interface ProjectRoot {
  /** Absolute. */
  readonly dir: string;
  readonly reason: ProjectRootReason;
  /** The config file or package.json that made `dir` the root (absolute); none for the working directory. */
  readonly file?: string;
}

export interface ProjectRootInput {
  /** The working directory, absolute. */
  readonly cwd: string;
  /** The flow file, when the flow was given by path (not by name): the searches start in its directory. */
  readonly flowFile?: string;
  /** The config file in use, found or given by --config. */
  readonly configFile?: string;
  /** The config file came from --config rather than a search. */
  readonly explicitConfig?: boolean;
}

/** Where the searches for the config file and package.json start. */
export const searchStart = (cwd: string, flowFile?: string): string => (flowFile === undefined ? cwd : dirname(resolve(cwd, flowFile)));

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The nearest package.json in `from` or a directory above it. */
export const findNearestPackageJson = (from: string): string | undefined => {
  for (let folder = resolve(from); ; folder = dirname(folder)) {
    const candidate = join(folder, 'package.json');
    if (existsSync(candidate) && isFile(candidate)) {
      return candidate;
    }
    if (dirname(folder) === folder) {
      return undefined;
    }
  }
};

export const findProjectRoot = (input: ProjectRootInput): ProjectRoot => {
  const cwd = resolve(input.cwd);
  if (input.configFile !== undefined) {
    const file = resolve(cwd, input.configFile);
    return { dir: dirname(file), reason: input.explicitConfig === true ? 'explicit-config' : 'config', file };
  }
  const manifest = findNearestPackageJson(searchStart(cwd, input.flowFile));
  return manifest === undefined ? { dir: cwd, reason: 'cwd' } : { dir: dirname(manifest), reason: 'package', file: manifest };
};

/** A setting's path (storeDir, flowsDir) made absolute: relative ones are in the project root, absolute ones stay. */
export const resolveInProject = (root: ProjectRoot, path: string): string => resolve(root.dir, path);

/**
 * flowsDir as the flow loader takes it (relative to the working directory)
 * and messages name it: as the user wrote it when that names the same
 * directory from the working directory, else as displayPath shows it.
 */
export const flowsDirFromCwd = (root: ProjectRoot, flowsDir: string, cwd: string): string => {
  const directory = resolveInProject(root, flowsDir);
  return directory === resolve(cwd, flowsDir) ? flowsDir : displayPath(directory, cwd);
};

/** The root as `flow config` shows it: `/srv/etl (directory of .flowrc.json)`. */
export const describeProjectRoot = (root: ProjectRoot): string => {
  const file = root.file === undefined ? '' : basename(root.file);
  switch (root.reason) {
    case 'explicit-config':
      return `${root.dir} (directory of ${file}, from --config)`;
    case 'config':
    case 'package':
      return `${root.dir} (directory of ${file})`;
    case 'cwd':
      return `${root.dir} (working directory: no config file or package.json found)`;
  }
};
