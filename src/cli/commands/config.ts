import { loadFlow } from '../../flows/load.js';
import { loadConfigFile } from '../../settings/config-file.js';
import { resolveSettings } from '../../settings/resolve.js';
import { SETTING_KEYS } from '../../settings/schema.js';
import type { CliWorld } from '../world.js';
import { EXIT_CODES } from '../exit-codes.js';

export interface ConfigCommandOptions {
  readonly runner?: string;
  readonly workers?: string;
  readonly logLevel?: string;
  readonly config?: string;
}

/**
 * `flow config [flow]`: every resolved setting and where it came from, as
 * Prefect's `config view --show-sources` does. With a flow, its config entry
 * and definition count too.
 */
export const configCommand = async (spec: string | undefined, options: ConfigCommandOptions, world: CliWorld): Promise<number> => {
  const flags = { runner: options.runner, workers: options.workers, logLevel: options.logLevel };
  const config = await loadConfigFile(options.config, world.cwd);
  let settings = resolveSettings({ flags, env: world.env, config });
  if (spec !== undefined) {
    const { flow } = await loadFlow(spec, settings.values.flowsDir, world.cwd);
    settings = resolveSettings({
      flags,
      env: world.env,
      config,
      flowName: flow.name,
      flowDefinition: { runner: typeof flow.taskRunner === 'string' ? flow.taskRunner : undefined },
    });
  }
  for (const warning of settings.warnings) {
    world.stderr.write(`warning: ${warning}\n`);
  }
  const width = Math.max(...SETTING_KEYS.map((key) => key.length));
  const lines = [`config file: ${config.filepath === undefined ? '(none found)' : config.label}`];
  for (const key of SETTING_KEYS) {
    lines.push(`${key.padEnd(width)} = ${JSON.stringify(settings.values[key])} (from ${settings.sources[key].label})`);
  }
  world.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_CODES.completed;
};
