import { loadConfigFile, type LoadedConfig } from './config-file.js';
import { findProjectRoot, searchStart, type ProjectRoot } from './project-root.js';

// What every command reads first: the config file and the project root it
// implies (project-root.ts), found from the same place.

export interface Project {
  readonly config: LoadedConfig;
  readonly root: ProjectRoot;
}

export interface LoadProjectInput {
  /** The working directory, absolute. */
  readonly cwd: string;
  /** The flow file, when the flow was given by path (findFlowFile of flows/load.ts). */
  readonly flowFile?: string;
  /** --config, as typed (relative to the working directory). */
  readonly explicitConfig?: string;
}

export const loadProject = async (input: LoadProjectInput): Promise<Project> => {
  const config = await loadConfigFile(input.explicitConfig, input.cwd, searchStart(input.cwd, input.flowFile));
  const root = findProjectRoot({
    cwd: input.cwd,
    flowFile: input.flowFile,
    configFile: config.filepath,
    explicitConfig: input.explicitConfig !== undefined,
  });
  return { config, root };
};
