import type { z } from 'zod';
import { ParameterError } from '../errors.js';
import { describeParameterIssues, describeSource, selectParameterValues, type ParameterInputs } from './params.js';
import { secretParameterNames } from './secret.js';
import { getObjectShape } from './zod-introspect.js';

// What `flow config <flow>` shows of the parameters: the values a run of the
// flow would get, merged over every layer and read by its schema, each with
// where it came from. A required parameter that no layer sets is shown as
// such rather than refused: `flow config` is run to find out what is missing.
// A secret parameter is marked `secret: true`, its source shown without the
// value; the value stays, for a caller that needs it, never to be printed.

export type ParameterPreview =
  | { readonly key: string; readonly set: true; readonly value: unknown; readonly source: string; readonly secret?: true }
  | { readonly key: string; readonly set: false };

export const previewParameters = (flowName: string, schema: z.ZodType | undefined, inputs: ParameterInputs): ParameterPreview[] => {
  const shape = schema === undefined ? undefined : getObjectShape(schema);
  // The same refusals as a run: a key the flow does not take, from a source that names this flow.
  const values = selectParameterValues(flowName, shape, inputs);
  const secrets = secretParameterNames(schema);
  const sourceOf = (key: string): string => {
    const input = inputs[key];
    return input === undefined ? `flow '${flowName}' default` : (input.label ?? describeSource(input, secrets.has(key)));
  };
  const entry = (key: string, value: unknown): ParameterPreview => ({
    key,
    set: true,
    value,
    source: sourceOf(key),
    ...(secrets.has(key) ? { secret: true as const } : {}),
  });
  if (schema === undefined) {
    return Object.entries(values).map(([key, value]) => entry(key, value));
  }
  const result = schema.safeParse(values);
  if (result.success) {
    return Object.entries(result.data as Record<string, unknown>)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => entry(key, value));
  }
  const isMissing = (issue: z.core.$ZodIssue): boolean => issue.path.length === 1 && !Object.hasOwn(values, String(issue.path[0]));
  const missing = new Set(result.error.issues.filter(isMissing).map((issue) => String(issue.path[0])));
  if (shape === undefined || result.error.issues.some((issue) => !isMissing(issue))) {
    throw new ParameterError(describeParameterIssues(result.error.issues, inputs, shape));
  }
  // Only required parameters are missing, so the whole schema gives nothing:
  // read the others field by field.
  const previews: ParameterPreview[] = [];
  for (const [key, field] of Object.entries(shape)) {
    if (missing.has(key)) {
      previews.push({ key, set: false });
      continue;
    }
    const read = field.safeParse(values[key]);
    if (!read.success) {
      throw new ParameterError(describeParameterIssues(read.error.issues.map((issue) => ({ ...issue, path: [key, ...issue.path] })), inputs, shape));
    }
    if (read.data !== undefined) {
      previews.push(entry(key, read.data));
    }
  }
  return previews;
};
