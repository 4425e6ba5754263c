import { UsageError } from '../errors.js';

// Fills `{name}` placeholders of a flowRunName or taskRunName template, as
// Python's str.format does with keyword arguments. A placeholder with no value
// is an error that names it and lists the names that exist.
export const renderNameTemplate = (
  template: string | ((parameters: Readonly<Record<string, unknown>>) => string),
  parameters: Readonly<Record<string, unknown>>,
  what: string,
): string => {
  if (typeof template === 'function') {
    const name: unknown = template(parameters);
    if (typeof name !== 'string' || name.length === 0) {
      throw new UsageError(`${what}: the name function returned ${JSON.stringify(name)}; it must return a non-empty string.`);
    }
    return name;
  }
  return template.replace(/\{([^{}]+)\}/g, (_whole, key: string) => {
    if (!Object.hasOwn(parameters, key)) {
      const known = Object.keys(parameters);
      throw new UsageError(
        `${what}: template ${JSON.stringify(template)} uses {${key}}, which is not a parameter (known: ${known.length > 0 ? known.join(', ') : 'none'}).`,
      );
    }
    const value = parameters[key];
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  });
};
