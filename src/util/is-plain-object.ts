// A plain object is one made by `{}` or `Object.create(null)`: the only kind of
// object whose fields flowrun walks to find futures, so class instances
// (Dates, Maps, user classes) pass through untouched.
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
};
