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

// A higher layer's value replaces a lower one's. It stays shared (ignored by
// a flow that does not take it) only when every layer that set the key is
// shared: FLOW_PARAMS over a typo in flows.etl.params still lets the typo be
// caught.
const overlay = (merged: Record<string, ParameterValue>, layer: Readonly<Record<string, ParameterValue>>): void => {
  for (const [key, value] of Object.entries(layer)) {
    const shared = value.shared === true && (merged[key]?.shared ?? true);
    merged[key] = { ...value, shared };
  }
};

// Every parameter value a run is given, with where it came from. Precedence,
// lowest first: the config file's top-level params (shared by every flow),
// its flows.<name>.params, FLOW_PARAMS (shared too: one variable for a whole
// pipeline), --params, then each --param (these two name one flow on
// purpose, so a key it does not take is an error). The flow's own defaults
// (in its zod schema) fill what none of them sets.
export const collectParameterInputs = (input: ParameterSourcesInput): ParameterInputs => {
  const merged: Record<string, ParameterValue> = {};
  const config = input.config;
  if (config !== undefined) {
    const shared = readConfigParams(config, config.config['params'], 'params');
    overlay(merged, toParameterInputs(shared, `config file ${config.label} (params)`, { shared: true, label: `${config.label} (params)` }));
    const flows = config.config['flows'];
    const entry = isPlainObject(flows) && input.flowName !== undefined ? flows[input.flowName] : undefined;
    if (isPlainObject(entry)) {
      const where = `flows.${input.flowName ?? ''}.params`;
      const own = readConfigParams(config, entry['params'], where);
      overlay(merged, toParameterInputs(own, `config file ${config.label} (${where})`, { label: `${config.label} (${where})` }));
    }
  }
  const envName = toEnvName('params');
  const envParams = input.env?.[envName];
  if (envParams !== undefined && envParams !== '') {
    overlay(merged, parseParamsJson(envParams, envName, { shared: true }));
  }
  if (input.paramsJson !== undefined) {
    overlay(merged, parseParamsJson(input.paramsJson, '--params'));
  }
  for (const text of input.paramFlags ?? []) {
    const { key, value } = parseParamFlag(text);
    overlay(merged, { [key]: value });
  }
  return merged;
};
