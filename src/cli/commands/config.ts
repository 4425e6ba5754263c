import { UsageError } from '../../errors.js';
import { findFlowFile, loadFlow } from '../../flows/load.js';
import { loadProject } from '../../settings/project.js';
import { describeProjectRoot, flowsDirFromCwd } from '../../settings/project-root.js';
import { collectParameterInputs } from '../../settings/parameter-sources.js';
import { previewParameters } from '../../settings/parameter-preview.js';
import { resolveSettings } from '../../settings/resolve.js';
import { SETTING_KEYS } from '../../settings/schema.js';
import { formatSettingLines, parameterLines as describeParameters, type SettingLine } from './setting-lines.js';
import type { CliWorld } from '../world.js';
import { EXIT_CODES } from '../exit-codes.js';

export interface ConfigCommandOptions {
  readonly param?: readonly string[];
  readonly params?: string;
  readonly runner?: string;
  readonly workers?: string;
  readonly logLevel?: string;
  readonly config?: string;
}

/**
 * `flow config [flow]`: every resolved setting and where it came from, as
 * Prefect's `config view --show-sources` does. With a flow, its config entry
 * and definition count too, and the parameters are those its run would get:
 * every layer merged (config file params, flows.<name>.params, FLOW_PARAMS,
 * --params, --param) over the flow's own defaults, one line each. The
 * project root comes first: storeDir and flowsDir are relative to it.
 */
export const configCommand = async (spec: string | undefined, options: ConfigCommandOptions, world: CliWorld): Promise<number> => {
  const paramFlags = options.param ?? [];
  if (spec === undefined && (paramFlags.length > 0 || options.params !== undefined)) {
    throw new UsageError('--param and --params need a flow to apply to: flow config <flow> --param key=value.');
  }
  const flags = { runner: options.runner, workers: options.workers, logLevel: options.logLevel };
  const flowFile = spec === undefined ? undefined : findFlowFile(spec, world.cwd);
  const { config, root } = await loadProject({ cwd: world.cwd, flowFile, explicitConfig: options.config });
  let settings = resolveSettings({ flags, env: world.env, config });
  const lines: SettingLine[] = [{ key: 'project root', text: describeProjectRoot(root) }];
  let parameterLines: SettingLine[] | undefined;
  if (spec !== undefined) {
    const { flow } = await loadFlow(spec, flowsDirFromCwd(root, settings.values.flowsDir, world.cwd), world.cwd);
    settings = resolveSettings({
      flags,
      env: world.env,
      config,
      flowName: flow.name,
      flowDefinition: { runner: typeof flow.taskRunner === 'string' ? flow.taskRunner : undefined },
    });
    const inputs = collectParameterInputs({ paramFlags, paramsJson: options.params, env: world.env, config, flowName: flow.name });
    parameterLines = describeParameters(flow.name, previewParameters(flow.name, flow.params, inputs));
  }
  for (const warning of settings.warnings) {
    world.stderr.write(`warning: ${warning}\n`);
  }
  for (const key of SETTING_KEYS) {
    // With a flow, its params are the merged lines below, not one layer's object.
    if (key !== 'params' || parameterLines === undefined) {
      lines.push({ key, text: `${JSON.stringify(settings.values[key])} (from ${settings.sources[key].label})` });
    }
  }
  lines.push(...(parameterLines ?? []));
  const header = `config file: ${config.filepath === undefined ? '(none found)' : config.label}`;
  world.stdout.write(formatSettingLines(header, lines, Math.max(...SETTING_KEYS.map((key) => key.length))));
  return EXIT_CODES.completed;
};
