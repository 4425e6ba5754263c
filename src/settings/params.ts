import type { z } from 'zod';
import { ParameterError, UsageError } from '../errors.js';
import { describeValue } from '../util/describe-value.js';
import { formatSuggestion } from '../util/closest.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { createSecretMasker, isSecretSchema, SECRET_MASK } from './secret.js';
import { describeExpected, expectsString, getObjectShape } from './zod-introspect.js';

/** One parameter value and where it came from, for error messages. */
export interface ParameterValue {
  readonly value: unknown;
  /** The text as typed, for values from the command line or environment. */
  readonly raw?: string;
  /** `--param stop=abc`, `--params`, `FLOW_PARAMS`, `config file .flowrc (flows.etl.params)`... */
  readonly source: string;
  /** The source as `flow config` shows it beside the settings (`.flowrc (flows.etl.params)`), when it differs. */
  readonly label?: string;
  /**
   * Set for every flow rather than for this one (the config file's top-level
   * params, FLOW_PARAMS): it may name keys a flow does not take, which that
   * flow ignores.
   */
  readonly shared?: boolean;
}

export interface ParameterInputOptions {
  readonly shared?: boolean;
  readonly label?: string;
}

export type ParameterInputs = Readonly<Record<string, ParameterValue>>;

// `--param k=v`: v is JSON when it parses as JSON, else the string itself.
export const parseParamFlag = (text: string): { key: string; value: ParameterValue } => {
  const equals = text.indexOf('=');
  if (equals <= 0) {
    throw new UsageError(
      `--param ${JSON.stringify(text)} must have the form KEY=VALUE (e.g. --param stop=5); ${equals === 0 ? 'the key is empty' : "there is no '='"}.`,
    );
  }
  const key = text.slice(0, equals);
  const raw = text.slice(equals + 1);
  return { key, value: { value: parseLooseJson(raw), raw, source: `--param ${text}` } };
};

export const parseLooseJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};

// `--params '{"stop": 5}'` or FLOW_PARAMS: a JSON object of parameters.
export const parseParamsJson = (text: string, source: string, options: ParameterInputOptions = {}): Record<string, ParameterValue> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} must be a JSON object such as '{"stop": 5}': ${(error as Error).message}.`);
  }
  if (!isPlainObject(parsed)) {
    throw new UsageError(`${source} must be a JSON object such as '{"stop": 5}', got ${describeValue(parsed)}.`);
  }
  return toParameterInputs(parsed, source, options);
};

export const toParameterInputs = (
  values: Readonly<Record<string, unknown>>,
  source: string,
  options: ParameterInputOptions = {},
): Record<string, ParameterValue> =>
  Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, { value, source, shared: options.shared === true, ...(options.label === undefined ? {} : { label: options.label }) }]),
  );

const article = (expected: string): string => (/^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`);

/**
 * Where a value came from, as a message shows it. `--param token=abc` holds
 * the value itself: for a secret it reads `--param token=********`.
 */
export const describeSource = (input: ParameterValue, secret: boolean): string =>
  secret && input.raw !== undefined && input.source.endsWith(`=${input.raw}`)
    ? `${input.source.slice(0, input.source.length - input.raw.length)}${SECRET_MASK}`
    : input.source;

/** A parameter's type for people, as `flow ls` and errors name it: number, string, secret string... */
export const describeParameterType = (schema: z.ZodType): string =>
  isSecretSchema(schema) ? `secret ${describeExpected(schema)}` : describeExpected(schema);

const describeIssue = (issue: z.core.$ZodIssue, inputs: ParameterInputs, shape: Record<string, z.ZodType> | undefined): string => {
  const key = String(issue.path[0] ?? '');
  const given = inputs[key];
  const name = issue.path.length > 0 ? `parameter '${issue.path.map(String).join('.')}'` : 'parameters';
  const fieldSchema = shape?.[key];
  const expected = fieldSchema === undefined ? undefined : describeParameterType(fieldSchema);
  if (given === undefined && issue.path.length === 1) {
    const what = expected !== undefined && expected !== 'any' ? ` (${article(expected)})` : '';
    return `${name} is required${what}; pass it with --param ${key}=<value>`;
  }
  const secret = fieldSchema !== undefined && isSecretSchema(fieldSchema);
  const got = given === undefined ? '' : `, got ${secret ? SECRET_MASK : describeValue(given.value)} (from ${describeSource(given, secret)})`;
  if (issue.code === 'invalid_type') {
    return `${name} must be ${article(issue.expected === 'int' ? 'integer' : String(issue.expected))}${got}`;
  }
  return `${name} is invalid: ${issue.message}${got}`;
};

// The values given for secret parameters, as text: a message zod or a
// refine() of the user's writes might quote one.
const givenSecretValues = (inputs: ParameterInputs, shape: Record<string, z.ZodType> | undefined): string[] =>
  Object.entries(inputs).flatMap(([key, input]) => {
    const field = shape?.[key];
    if (field === undefined || !isSecretSchema(field)) {
      return [];
    }
    return [input.raw, input.value].filter((value): value is string => typeof value === 'string');
  });

/**
 * One line per problem zod found, each naming the parameter, what was
 * expected and where the value came from; a secret's value is never in it.
 */
export const describeParameterIssues = (
  issues: readonly z.core.$ZodIssue[],
  inputs: ParameterInputs,
  shape: Record<string, z.ZodType> | undefined,
): string => createSecretMasker(givenSecretValues(inputs, shape))(issues.map((issue) => describeIssue(issue, inputs, shape)).join('; '));

// The values given, as the flow's schema will read them: a key the flow does
// not take is dropped when it comes from a shared source and refused
// otherwise; text typed for a string parameter stays the text.
export const selectParameterValues = (
  flowName: string,
  shape: Record<string, z.ZodType> | undefined,
  inputs: ParameterInputs,
): Record<string, unknown> => {
  const values: Record<string, unknown> = {};
  // A key the flow does not take, in a flow with secrets, is most likely a
  // misspelt secret: its value is not echoed either.
  const hasSecrets = shape !== undefined && Object.values(shape).some(isSecretSchema);
  for (const [key, input] of Object.entries(inputs)) {
    if (shape !== undefined && !Object.hasOwn(shape, key)) {
      if (input.shared === true) {
        continue;
      }
      const known = Object.keys(shape);
      throw new ParameterError(
        `flow '${flowName}' has no parameter '${key}' (from ${describeSource(input, hasSecrets)}); its parameters are: ${known.length > 0 ? known.join(', ') : 'none'}${formatSuggestion(key, known)}`,
      );
    }
    const fieldSchema = shape?.[key];
    values[key] = input.raw !== undefined && fieldSchema !== undefined && expectsString(fieldSchema) ? input.raw : input.value;
  }
  return values;
};

// The parameters a flow run gets: validated and coerced by the flow's zod
// schema when it has one, else as given. Throws ParameterError with one line
// per problem, each naming the parameter, what was expected and where the
// value came from.
export const validateParameters = (
  flowName: string,
  schema: z.ZodType | undefined,
  inputs: ParameterInputs,
): Record<string, unknown> => {
  const shape = schema === undefined ? undefined : getObjectShape(schema);
  const values = selectParameterValues(flowName, shape, inputs);
  if (schema === undefined) {
    return values;
  }
  const result = schema.safeParse(values);
  if (result.success) {
    return result.data as Record<string, unknown>;
  }
  throw new ParameterError(describeParameterIssues(result.error.issues, inputs, shape));
};
