import { ConfigError } from '../errors.js';
import { describeValue } from '../util/describe-value.js';
import { isPlainObject } from '../util/is-plain-object.js';
import type { LoadedConfig } from './config-file.js';
import { parseParamFlag, parseParamsJson, toParameterInputs, type ParameterInputs, type ParameterValue } from './params.js';
import { toEnvName } from './schema.js';

export interface ParameterSourcesInput {
  /** Each `--param k=v`, in order (a later one wins). */
  readonly paramFlags?: readonly string[];
  /** `--params JSON`. */
  readonly paramsJson?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly config?: LoadedConfig;
  readonly flowName?: string;
}

const readConfigParams = (config: LoadedConfig, value: unknown, where: string): Record<string, unknown> => {
  if (value === undefined) {
    return {};
  }
  if (!isPlainObject(value)) {
    throw new ConfigError(`config file ${config.label}: '${where}' must be an object of parameter values, got ${describeValue(value)}.`);
  }
  return value;
};

// Every parameter value a run is given, with where it came from. Precedence,
// lowest first: the config file's top-level params (shared by every flow),
// its flows.<name>.params, FLOW_PARAMS, --params, then each --param. The
// flow's own defaults (in its zod schema) fill what none of them sets.
export const collectParameterInputs = (input: ParameterSourcesInput): ParameterInputs => {
  const merged: Record<string, ParameterValue> = {};
  const config = input.config;
  if (config !== undefined) {
    Object.assign(merged, toParameterInputs(readConfigParams(config, config.config['params'], 'params'), `config file ${config.label} (params)`, true));
    const flows = config.config['flows'];
    const entry = isPlainObject(flows) && input.flowName !== undefined ? flows[input.flowName] : undefined;
    if (isPlainObject(entry)) {
      const where = `flows.${input.flowName ?? ''}.params`;
      Object.assign(merged, toParameterInputs(readConfigParams(config, entry['params'], where), `config file ${config.label} (${where})`));
    }
  }
  const envName = toEnvName('params');
  const envParams = input.env?.[envName];
  if (envParams !== undefined && envParams !== '') {
    Object.assign(merged, parseParamsJson(envParams, envName));
  }
  if (input.paramsJson !== undefined) {
    Object.assign(merged, parseParamsJson(input.paramsJson, '--params'));
  }
  for (const text of input.paramFlags ?? []) {
    const { key, value } = parseParamFlag(text);
    merged[key] = value;
  }
  return merged;
};
