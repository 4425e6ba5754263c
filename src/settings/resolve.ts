import { ConfigError } from '../errors.js';
import { LOG_LEVELS } from '../logging/levels.js';
import { formatSuggestion } from '../util/closest.js';
import { describeValue } from '../util/describe-value.js';
import { isPlainObject } from '../util/is-plain-object.js';
import type { LoadedConfig } from './config-file.js';
import { CONFIG_FILE_KEYS, PER_FLOW_KEYS, SETTING_KEYS, SETTINGS, toEnvName, type SettingKey, type Settings } from './schema.js';

// Settings, highest precedence first (API.md section 3):
// flags > FLOW_* environment > the config file's flows.<name> entry > the
// flow's own definition > the config file's top level > built-in defaults.

export type SourceKind = 'flag' | 'env' | 'config-flow' | 'flow' | 'config' | 'default';

export interface SettingSource {
  readonly kind: SourceKind;
  /** `--runner`, `FLOW_RUNNER`, `.flowrc (flows.etl.runner)`, `flow 'etl'`, `.flowrc`, `default`. */
  readonly label: string;
}

export interface ResolvedSettings {
  readonly values: Settings;
  readonly sources: { readonly [K in SettingKey]: SettingSource };
  readonly warnings: readonly string[];
}

export interface SettingsInput {
  /** Values given by flags, as strings or already typed. */
  readonly flags?: Partial<Record<SettingKey, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly config?: LoadedConfig;
  /** The flow being run, for its config entry and its own definition. */
  readonly flowName?: string;
  readonly flowDefinition?: Partial<Record<SettingKey, unknown>>;
}

interface Layer {
  readonly kind: SourceKind;
  readonly values: Readonly<Record<string, unknown>>;
  /** Where a value came from, as `flow config` shows it. */
  readonly label: (key: SettingKey) => string;
  /** How an error names the value. */
  readonly subject: (key: SettingKey) => string;
  /** Values that are text from a shell, read as JSON unless the setting is text. */
  readonly textual: boolean;
}

const readText = (key: SettingKey, text: string): unknown => {
  const probe = SETTINGS[key].schema.safeParse(text);
  if (probe.success) {
    return text;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

// `subject` names the value where the user wrote it: `--runner`,
// `FLOW_WORKERS`, `config file .flowrc: 'workers'`.
const validate = (key: SettingKey, value: unknown, subject: string): unknown => {
  const descriptor = SETTINGS[key];
  const result = descriptor.schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  throw new ConfigError(`${subject} must be ${descriptor.expected}, got ${describeValue(value)}.`);
};

const envLayer = (env: Readonly<Record<string, string | undefined>>): Layer => {
  const values: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const text = env[toEnvName(key)];
    if (text !== undefined && text !== '') {
      values[key] = text;
    }
  }
  return { kind: 'env', values, label: toEnvName, subject: toEnvName, textual: true };
};

const getFlowEntry = (config: LoadedConfig, flowName: string | undefined): Record<string, unknown> => {
  const flows = config.config['flows'];
  if (flowName === undefined || !isPlainObject(flows)) {
    return {};
  }
  const entry = flows[flowName];
  return isPlainObject(entry) ? entry : {};
};

// Unknown keys are warnings with a suggestion, not errors: a typo should not
// stop a cron job, but it should be seen.
const checkConfigShape = (config: LoadedConfig): string[] => {
  const warnings: string[] = [];
  for (const key of Object.keys(config.config)) {
    if (key === 'default') {
      // Settings nested one level too deep (`export default { default: {...} }`,
      // `module.exports = { default: {...} }`): every one of them would be ignored.
      warnings.push(
        `config file ${config.label}: unknown key 'default' is ignored, with every setting under it; settings go at the top level (in a module: export default { runner: 'sequential' })`,
      );
    } else if (!CONFIG_FILE_KEYS.includes(key)) {
      warnings.push(`config file ${config.label}: unknown key '${key}' is ignored${formatSuggestion(key, CONFIG_FILE_KEYS)}`);
    }
  }
  const flows = config.config['flows'];
  if (flows === undefined) {
    return warnings;
  }
  if (!isPlainObject(flows)) {
    throw new ConfigError(`config file ${config.label}: 'flows' must be an object of flow names to settings, got ${describeValue(flows)}.`);
  }
  for (const [flowName, entry] of Object.entries(flows)) {
    if (!isPlainObject(entry)) {
      throw new ConfigError(`config file ${config.label}: 'flows.${flowName}' must be an object of settings, got ${describeValue(entry)}.`);
    }
    for (const key of Object.keys(entry)) {
      if (!(PER_FLOW_KEYS as string[]).includes(key)) {
        warnings.push(
          `config file ${config.label}: unknown key 'flows.${flowName}.${key}' is ignored (a flow entry takes ${PER_FLOW_KEYS.join(', ')})${formatSuggestion(key, PER_FLOW_KEYS)}`,
        );
      }
    }
    for (const key of PER_FLOW_KEYS) {
      if (entry[key] !== undefined) {
        validate(key, entry[key], `config file ${config.label}: 'flows.${flowName}.${key}'`);
      }
    }
  }
  return warnings;
};

export const resolveSettings = (input: SettingsInput): ResolvedSettings => {
  const config = input.config ?? { filepath: undefined, label: '(none)', config: {} };
  const warnings = checkConfigShape(config);
  const flowEntry = getFlowEntry(config, input.flowName);
  const layers: Layer[] = [
    {
      kind: 'flag',
      values: input.flags ?? {},
      label: (key) => SETTINGS[key].flag ?? key,
      subject: (key) => SETTINGS[key].flag ?? key,
      textual: true,
    },
    envLayer(input.env ?? {}),
    {
      kind: 'config-flow',
      values: Object.fromEntries(Object.entries(flowEntry).filter(([key]) => (PER_FLOW_KEYS as string[]).includes(key))),
      label: (key) => `${config.label} (flows.${input.flowName ?? ''}.${key})`,
      subject: (key) => `config file ${config.label}: 'flows.${input.flowName ?? ''}.${key}'`,
      textual: false,
    },
    {
      kind: 'flow',
      values: input.flowDefinition ?? {},
      label: () => `flow '${input.flowName ?? ''}'`,
      subject: (key) => `the ${key} of flow '${input.flowName ?? ''}'`,
      textual: false,
    },
    {
      kind: 'config',
      values: config.config,
      label: () => config.label,
      subject: (key) => `config file ${config.label}: '${key}'`,
      textual: false,
    },
  ];
  const values: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const key of SETTING_KEYS) {
    const layer = layers.find((candidate) => candidate.values[key] !== undefined);
    if (layer === undefined) {
      values[key] = SETTINGS[key].defaultValue();
      sources[key] = { kind: 'default', label: 'default' };
      continue;
    }
    const raw = layer.values[key];
    const value = layer.textual && typeof raw === 'string' ? readText(key, raw) : raw;
    values[key] = validate(key, value, layer.subject(key));
    sources[key] = { kind: layer.kind, label: layer.label(key) };
  }
  return { values: values as Settings, sources: sources as ResolvedSettings['sources'], warnings };
};

export const toLogLevel = (name: string): (typeof LOG_LEVELS)[keyof typeof LOG_LEVELS] =>
  LOG_LEVELS[name.toUpperCase() as keyof typeof LOG_LEVELS] ?? LOG_LEVELS.INFO;
