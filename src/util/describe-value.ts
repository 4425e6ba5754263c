// A short, readable rendering of a user's value for error messages:
// `"abc"`, `5`, `[1,2]`, `undefined`.
export const describeValue = (value: unknown): string => {
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'function') {
    return `function ${value.name || '(anonymous)'}`;
  }
  if (typeof value === 'bigint') {
    return `${value}n`;
  }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) {
      return json.length > 80 ? `${json.slice(0, 77)}...` : json;
    }
  } catch {
    // fall through to String()
  }
  return Object.prototype.toString.call(value);
};

// The name of a value's type as a user thinks of it: string, number, array, null, Date...
export const describeType = (value: unknown): string => {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? name : 'object';
  }
  return typeof value;
};
