import { createRequire } from 'node:module';
import type * as Acorn from 'acorn';

// The parameters of a function, read from its source (what
// Function.prototype.toString gives) by a real JavaScript parser, acorn: a
// default value may hold any expression, so only a parser knows where the
// parameter list ends (`(url, sep = ')', n = 1)`, `({ a = '}', b })`).
//
// Used by taskRunName templates ('fetch-{url}') and by the Prefect 1 graph
// (the keys a Task's run() takes), never on a plain run's path: acorn is
// loaded on the first call, not when flowrun starts, and each function is
// parsed once. Nothing here throws: source that cannot be read (native or
// bound functions, a syntax acorn does not know) gives no names.

type Parameters = readonly Acorn.Pattern[];

let acorn: typeof Acorn | undefined;
// require() rather than import(): the callers are synchronous.
const loadAcorn = (): typeof Acorn => (acorn ??= createRequire(import.meta.url)('acorn') as typeof Acorn);

const PARSE_OPTIONS: Acorn.Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  // A method's source may use `this.#field` of a class that is not in it.
  checkPrivateFields: false,
};

const onlyExpression = (program: Acorn.Program): Acorn.Expression | undefined => {
  const [statement, ...rest] = program.body;
  return rest.length === 0 && statement?.type === 'ExpressionStatement' ? statement.expression : undefined;
};

const constructorParameters = (body: Acorn.ClassBody): Parameters => {
  const constructor = body.body.find((member): member is Acorn.MethodDefinition => member.type === 'MethodDefinition' && member.kind === 'constructor');
  return constructor?.value.params ?? [];
};

// Function.prototype.toString gives one of three shapes of source, each
// parsed inside a wrapper that makes it an expression:
// - a function, an arrow function or a class, as written: `(source)`;
// - a method, getter or setter (`run({ stop }) {...}`, `async *gen(x) {...}`,
//   `get size() {...}`, `[key](x) {...}`): `({source})`;
// - a private method (`#step(x) {...}`): `(class {source})`.
// The line break keeps a wrapper's closing bracket out of a trailing comment.
const READERS: readonly { readonly wrap: (source: string) => string; readonly read: (expression: Acorn.Expression) => Parameters | undefined }[] = [
  {
    wrap: (source) => `(${source}\n)`,
    read: (expression) => {
      if (expression.type === 'FunctionExpression' || expression.type === 'ArrowFunctionExpression') {
        return expression.params;
      }
      return expression.type === 'ClassExpression' ? constructorParameters(expression.body) : undefined;
    },
  },
  {
    wrap: (source) => `({${source}\n})`,
    read: (expression) => {
      const [member, ...rest] = expression.type === 'ObjectExpression' ? expression.properties : [];
      return rest.length === 0 && member?.type === 'Property' && member.value.type === 'FunctionExpression' ? member.value.params : undefined;
    },
  },
  {
    wrap: (source) => `(class {${source}\n})`,
    read: (expression) => {
      const [member, ...rest] = expression.type === 'ClassExpression' ? expression.body.body : [];
      return rest.length === 0 && member?.type === 'MethodDefinition' ? member.value.params : undefined;
    },
  },
];

const parseParameters = (source: string): Parameters | undefined => {
  const { parse } = loadAcorn();
  for (const reader of READERS) {
    let expression: Acorn.Expression | undefined;
    try {
      expression = onlyExpression(parse(reader.wrap(source), PARSE_OPTIONS));
    } catch {
      continue;
    }
    const parameters = expression === undefined ? undefined : reader.read(expression);
    if (parameters !== undefined) {
      return parameters;
    }
  }
  return undefined;
};

// Source that is not a function's text ("function () { [native code] }")
// fails every reader, and is cached as such.
const parsed = new WeakMap<object, Parameters | null>();

const getParameters = (fn: (...args: never[]) => unknown): Parameters | undefined => {
  const cached = parsed.get(fn);
  if (cached !== undefined) {
    return cached ?? undefined;
  }
  let parameters: Parameters | undefined;
  try {
    parameters = parseParameters(Function.prototype.toString.call(fn));
  } catch {
    // Not a function after all, or acorn could not be loaded: no names.
    parameters = undefined;
  }
  parsed.set(fn, parameters ?? null);
  return parameters;
};

/**
 * The name of each parameter, by position, so that a taskRunName template
 * such as 'fetch-{url}' can name the call's arguments. A destructured or rest
 * parameter has no single name: its place holds '' (its position still works:
 * '{0}'). No names when the source cannot be read.
 */
export const getParameterNames = (fn: (...args: never[]) => unknown): string[] =>
  (getParameters(fn) ?? []).map((parameter) => {
    const target = parameter.type === 'AssignmentPattern' ? parameter.left : parameter;
    return target.type === 'Identifier' ? target.name : '';
  });

const propertyName = (property: Acorn.AssignmentProperty): string | undefined => {
  if (property.computed) {
    return undefined;
  }
  if (property.key.type === 'Identifier') {
    return property.key.name;
  }
  return property.key.type === 'Literal' && (typeof property.key.value === 'string' || typeof property.key.value === 'number')
    ? String(property.key.value)
    : undefined;
};

/**
 * The keys of a function's first parameter when it is destructured
 * (`run({ stop, count = 1 })` gives stop and count), or undefined when it is
 * not an object pattern, when one of its keys is computed or a rest element
 * (`...others`), or when the source cannot be read: then any key may be right.
 */
export const getDestructuredKeys = (fn: (...args: never[]) => unknown): string[] | undefined => {
  const first = getParameters(fn)?.[0];
  const pattern = first?.type === 'AssignmentPattern' ? first.left : first;
  if (pattern?.type !== 'ObjectPattern') {
    return undefined;
  }
  const keys: string[] = [];
  for (const property of pattern.properties) {
    const key = property.type === 'Property' ? propertyName(property) : undefined;
    if (key === undefined) {
      return undefined;
    }
    keys.push(key);
  }
  return keys;
};
