import type { ParameterPreview } from '../../settings/parameter-preview.js';
import { SECRET_MASK } from '../../settings/secret.js';
import { describeValue } from '../../util/describe-value.js';

// The `key = value (from source)` lines of `flow config` and
// `flow run --dry-run`: one setting or parameter a line, keys aligned.

export interface SettingLine {
  readonly key: string;
  readonly text: string;
}

// JSON, as a config file or --params would spell the value; describeValue
// for what JSON cannot hold (a bigint, a function).
export const showValue = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? describeValue(value);
  } catch {
    return describeValue(value);
  }
};

export const parameterLine = (flowName: string, preview: ParameterPreview): SettingLine => ({
  key: `params.${preview.key}`,
  // A secret says where it comes from, never what it is.
  text: preview.set
    ? `${preview.secret === true ? SECRET_MASK : showValue(preview.value)} (from ${preview.source})`
    : `(not set; flow '${flowName}' requires it: pass --param ${preview.key}=<value>)`,
});

/** The parameter lines of a flow, or one line saying it takes none. */
export const parameterLines = (flowName: string, previews: readonly ParameterPreview[]): SettingLine[] =>
  previews.length > 0 ? previews.map((preview) => parameterLine(flowName, preview)) : [{ key: 'params', text: `{} (flow '${flowName}' gets none)` }];

/** The lines under a header, their keys padded to the longest (and to at least `width`). */
export const formatSettingLines = (header: string, lines: readonly SettingLine[], width = 0): string => {
  const padTo = Math.max(width, ...lines.map((line) => line.key.length));
  return `${[header, ...lines.map((line) => `${line.key.padEnd(padTo)} = ${line.text}`)].join('\n')}\n`;
};
