// The names of a function's parameters, read from its source, so that a
// taskRunName template such as 'fetch-{url}' can name the call's arguments.
// Destructured and rest parameters have no single name and are skipped (their
// position still works: '{0}').
export const getParameterNames = (fn: (...args: never[]) => unknown): string[] => {
  const source = Function.prototype.toString.call(fn);
  const list = extractParameterList(source);
  if (list === undefined) {
    return [];
  }
  return splitTopLevel(list).map((parameter) => {
    const match = /^\s*([A-Za-z_$][\w$]*)\s*(?:=|$)/.exec(parameter);
    return match?.[1] ?? '';
  });
};

const extractParameterList = (source: string): string | undefined => {
  const arrowSingle = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrowSingle?.[1] !== undefined) {
    return arrowSingle[1];
  }
  const open = source.indexOf('(');
  if (open === -1) {
    return undefined;
  }
  let depth = 0;
  for (let index = open; index < source.length; index += 1) {
    const char = source[index];
    if (char === '(' || char === '[' || char === '{') {
      depth += 1;
    } else if (char === ')' || char === ']' || char === '}') {
      depth -= 1;
      if (depth === 0) {
        return source.slice(open + 1, index);
      }
    }
  }
  return undefined;
};

const splitTopLevel = (list: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of list) {
    if (char === '(' || char === '[' || char === '{') {
      depth += 1;
    } else if (char === ')' || char === ']' || char === '}') {
      depth -= 1;
    }
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim().length > 0) {
    parts.push(current);
  }
  return parts;
};

// The keys of a function's first parameter when it is destructured
// (`run({ stop, count = 1 })` gives stop and count), or undefined when it is
// not a destructuring pattern or has a rest element (`...others`).
export const getDestructuredKeys = (fn: (...args: never[]) => unknown): string[] | undefined => {
  const list = extractParameterList(Function.prototype.toString.call(fn));
  const first = list === undefined ? undefined : splitTopLevel(list)[0]?.trim();
  if (first === undefined || !first.startsWith('{')) {
    return undefined;
  }
  const close = first.lastIndexOf('}');
  const inner = first.slice(1, close === -1 ? undefined : close);
  const keys: string[] = [];
  for (const part of splitTopLevel(inner)) {
    const trimmed = part.trim();
    if (trimmed.startsWith('...')) {
      return undefined;
    }
    const key = /^([A-Za-z_$][\w$]*)/.exec(trimmed)?.[1];
    if (key !== undefined) {
      keys.push(key);
    }
  }
  return keys;
};
