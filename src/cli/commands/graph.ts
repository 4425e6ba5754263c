import { UsageError } from '../../errors.js';
import { findFlowFile, loadFlow } from '../../flows/load.js';
import { isGraphFlow } from '../../graph/flow-graph.js';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../../graph/render.js';
import { loadProject } from '../../settings/project.js';
import { flowsDirFromCwd } from '../../settings/project-root.js';
import { resolveSettings } from '../../settings/resolve.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliWorld } from '../world.js';

export interface GraphCommandOptions {
  readonly format: string;
  readonly config?: string;
}

/** `flow graph <flow>`: draws a Prefect 1 style flow's graph on stdout. */
export const graphCommand = async (spec: string, options: GraphCommandOptions, world: CliWorld): Promise<number> => {
  if (!(GRAPH_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format must be one of ${GRAPH_FORMATS.join(', ')}, got ${JSON.stringify(options.format)}.`);
  }
  const { config, root } = await loadProject({ cwd: world.cwd, flowFile: findFlowFile(spec, world.cwd), explicitConfig: options.config });
  const { flowsDir } = resolveSettings({ env: world.env, config }).values;
  const { flow } = await loadFlow(spec, flowsDirFromCwd(root, flowsDir, world.cwd), world.cwd);
  if (!isGraphFlow(flow)) {
    throw new UsageError(
      `flow '${flow.name}' is a Prefect 2 style flow: its graph is known only once it runs, since its code submits the tasks. flow graph draws static flows made with new Flow(...).`,
    );
  }
  world.stdout.write(`${renderGraph(flow, options.format as GraphFormat)}\n`);
  return EXIT_CODES.completed;
};
