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
