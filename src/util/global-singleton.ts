// Some state must be shared by every copy of flowrun loaded in a process (the
// CLI's own copy, and a copy a user's project may have installed under
// node_modules): the run context above all. Keying it on a registered symbol
// of globalThis makes all copies find the same instance.
export const getGlobalSingleton = <T>(key: string, create: () => T): T => {
  const symbol = Symbol.for(`flowrun.${key}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  const existing = store[symbol];
  if (existing !== undefined) {
    return existing;
  }
  const created = create();
  store[symbol] = created;
  return created;
};
