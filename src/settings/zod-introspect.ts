import type { z } from 'zod';

// Reading a zod schema's structure, for `flow ls` (each parameter's type,
// default and whether it is required) and for reading `--param` values as
// the flow expects them. Kept in one file: it leans on zod 4's `_zod.def`.

interface Definition {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly entries?: Record<string, unknown>;
  readonly values?: readonly unknown[];
  readonly defaultValue?: unknown;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly out?: z.ZodType;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
  readonly valueType?: z.ZodType;
  readonly catchall?: z.ZodType;
  readonly getter?: () => z.ZodType;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

const definitionOf = (schema: z.ZodType): Definition => (schema as unknown as { _zod: { def: Definition } })._zod.def;

// The schema under optional(), default(), pipes and the like.
const unwrap = (schema: z.ZodType): Definition => {
  let definition = definitionOf(schema);
  for (let depth = 0; depth < 20; depth += 1) {
    const inner = WRAPPERS.has(definition.type) ? definition.innerType : definition.type === 'pipe' ? definition.in : undefined;
    if (inner === undefined) {
      return definition;
    }
    definition = definitionOf(inner);
  }
  return definition;
};

/** True for a zod 4 schema (what has a `_zod.def`), false for any other value. */
export const isZodSchema = (value: unknown): value is z.ZodType => {
  const internals = typeof value === 'object' && value !== null ? (value as { _zod?: { def?: unknown } })._zod : undefined;
  return typeof internals?.def === 'object' && internals.def !== null;
};

/**
 * Every schema that a value of `schema` may hold or pass through, one level
 * down: the inner schema of optional(), default() and the like, both ends of
 * a pipe, union options, object fields, array and tuple items, record, map
 * and set values, a lazy schema's target. Keys of records and maps are left
 * out: they are names, not values.
 */
export const childSchemas = (schema: z.ZodType): z.ZodType[] => {
  const definition = definitionOf(schema);
  const children: (z.ZodType | null | undefined)[] = [
    definition.innerType,
    definition.in,
    definition.out,
    definition.element,
    definition.left,
    definition.right,
    definition.rest,
    definition.valueType,
    definition.catchall,
    ...(definition.options ?? []),
    ...(definition.items ?? []),
    ...(definition.shape === undefined ? [] : Object.values(definition.shape)),
    definition.type === 'lazy' ? definition.getter?.() : undefined,
  ];
  return children.filter(isZodSchema);
};

/** The fields of an object schema, or undefined for any other schema. */
export const getObjectShape = (schema: z.ZodType): Record<string, z.ZodType> | undefined => {
  const definition = unwrap(schema);
  return definition.type === 'object' ? definition.shape : undefined;
};

/** True when the field takes text, so `--param name=5` should stay the string "5". */
export const expectsString = (schema: z.ZodType): boolean => {
  const definition = unwrap(schema);
  switch (definition.type) {
    case 'string':
    case 'template_literal':
      return true;
    case 'enum':
      return Object.values(definition.entries ?? {}).every((value) => typeof value === 'string');
    case 'literal':
      return (definition.values ?? []).every((value) => typeof value === 'string');
    default:
      return false;
  }
};

/** A short type description for people: number, string, "'a' | 'b'", string[]... */
export const describeExpected = (schema: z.ZodType): string => {
  const definition = unwrap(schema);
  switch (definition.type) {
    case 'enum':
      return Object.values(definition.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(' | ');
    case 'literal':
      return (definition.values ?? []).map((value) => JSON.stringify(value)).join(' | ');
    case 'array':
      return `${definition.element === undefined ? 'unknown' : describeExpected(definition.element)}[]`;
    case 'union':
      return (definition.options ?? []).map(describeExpected).join(' | ');
    case 'custom':
    case 'unknown':
      return 'any';
    default:
      return definition.type;
  }
};

/** Whether a field may be left out: it is optional or has a default. */
export const isOptionalField = (schema: z.ZodType): boolean => schema.safeParse(undefined).success;

/** The field's default, when it has one. */
export const getDefault = (schema: z.ZodType): { readonly value: unknown } | undefined => {
  let definition = definitionOf(schema);
  for (let depth = 0; depth < 20; depth += 1) {
    if (definition.type === 'default' || definition.type === 'prefault') {
      const value = definition.defaultValue;
      return { value: typeof value === 'function' ? (value as () => unknown)() : value };
    }
    if (!WRAPPERS.has(definition.type) || definition.innerType === undefined) {
      return undefined;
    }
    definition = definitionOf(definition.innerType);
  }
  return undefined;
};
