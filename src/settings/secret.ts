import { isPlainObject } from '../util/is-plain-object.js';
import { childSchemas, getObjectShape, isZodSchema } from './zod-introspect.js';

// Secret parameters, after Prefect's SecretStr: the flow gets the real value,
// everything flowrun shows or keeps gets SECRET_MASK instead (parameter
// errors, `flow config`, `flow ls`, `flow graph`; the run history through
// redactParameters, log lines through createSecretMasker).
// A secret is a zod schema carrying SECRET_METADATA in zod's global registry
// (secret-schema.ts makes them): zod hands registry metadata on to the
// schemas derived by .min(), .trim(), .describe() and the like, and
// optional(), default(), nullable() or a pipe keep it as their inner schema,
// which is looked through here. Nothing here imports zod itself: schemas are
// read through their own `.meta()` and `_zod.def`, so the run history can
// call these freely.

/** What a secret value reads as wherever flowrun shows or stores it. */
export const SECRET_MASK = '********';

/**
 * The metadata that marks a schema secret. `writeOnly` is JSON Schema's word
 * for a value that is given but never sent back (what Pydantic writes for a
 * SecretStr), so `z.toJSONSchema()` says it too; the flowrun key is the mark
 * itself, which a user's own `writeOnly` does not imitate by chance.
 */
export const SECRET_METADATA = { flowrunSecret: true, writeOnly: true } as const;

const carriesMark = (schema: unknown): boolean => {
  const meta = (schema as { meta?: unknown }).meta;
  if (typeof meta !== 'function') {
    return false;
  }
  const data: unknown = (meta as () => unknown).call(schema);
  return isPlainObject(data) && data['flowrunSecret'] === true;
};

/**
 * Whether a value of this schema must never be shown: it is a secret() (under
 * any optional(), default(), nullable(), pipe...), or it may hold one (a union
 * with a secret option, an object or array with a secret inside), which is
 * then masked whole, since flowrun masks parameters and not parts of them.
 */
export const isSecretSchema = (schema: unknown): boolean => {
  if (!isZodSchema(schema)) {
    return false;
  }
  // A set of the schemas seen: recursive schemas (z.lazy, getters) loop.
  const seen = new Set<unknown>();
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const next = pending.pop();
    if (seen.has(next) || !isZodSchema(next)) {
      continue;
    }
    seen.add(next);
    if (carriesMark(next)) {
      return true;
    }
    pending.push(...childSchemas(next));
  }
  return false;
};

/** The keys of a flow's params schema (a zod object) whose values are secret; empty for no schema. */
export const secretParameterNames = (paramsSchema: unknown): ReadonlySet<string> => {
  const shape = isZodSchema(paramsSchema) ? getObjectShape(paramsSchema) : undefined;
  if (shape === undefined) {
    return new Set();
  }
  return new Set(Object.keys(shape).filter((key) => isSecretSchema(shape[key])));
};

/**
 * A copy of a flow run's parameters fit to show or store: each secret key set
 * to a value (null included) reads SECRET_MASK; a key left undefined stays so.
 * A params schema that is not an object yet holds a secret (a union of
 * objects, say) has every value masked: which key is secret cannot be told.
 */
export const redactParameters = (paramsSchema: unknown, values: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const shape = isZodSchema(paramsSchema) ? getObjectShape(paramsSchema) : undefined;
  const secretKeys = secretParameterNames(paramsSchema);
  const secret = shape === undefined && isSecretSchema(paramsSchema) ? () => true : (key: string) => secretKeys.has(key);
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value !== undefined && secret(key) ? SECRET_MASK : value]));
};

/**
 * Secret values shorter than this (not counting surrounding whitespace) are
 * not masked in free text. GitHub Actions masks every secret whatever its
 * length, and a one-character secret then turns every "1" of the log into
 * "***". Masking a short value protects nothing: the masks show where it
 * stood, which gives it away, and a value of three characters is guessed in
 * a moment anyway, while the log becomes unreadable. Parameters known to be
 * secret are still masked whole (SECRET_MASK, not substrings) at any length.
 */
export const MIN_MASKED_LENGTH = 4;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The forms in which a secret may appear in a line: as is, escaped inside a
// JSON string (what JSON logs and `flow config` print), and, for a value of
// several lines (a PEM key), each line on its own, as log lines cut it.
const formsOf = (value: string): string[] => {
  const json = JSON.stringify(value).slice(1, -1);
  const lines = value.includes('\n') ? value.split(/\r?\n/) : [];
  return [value, json, ...lines];
};

/**
 * A function that replaces every occurrence of each secret value in a text
 * (a log line) by SECRET_MASK; the identity when there is nothing to mask.
 * Longer values are matched first, so a secret that contains another is
 * masked whole.
 */
export const createSecretMasker = (secretValues: readonly string[]): ((text: string) => string) => {
  const forms = new Set<string>();
  for (const value of secretValues) {
    if (typeof value === 'string') {
      formsOf(value)
        .filter((form) => form.trim().length >= MIN_MASKED_LENGTH)
        .forEach((form) => forms.add(form));
    }
  }
  if (forms.size === 0) {
    return (text) => text;
  }
  const pattern = new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, SECRET_MASK);
};
