// The keys under which the main thread's module hooks record a resolution
// (loader-hooks.ts), and under which a worker looks up what a module imports
// (recorded-module.ts). No other code of flowrun's: the hooks module imports
// this on Node's loader thread.

const ABSOLUTE_URL = /^[a-z][a-z\d+.-]*:/i;

/** How the keys of the resolutions made from one parent module begin. */
export const resolvedFromPrefix = (parentUrl: string): string => `${parentUrl}\n`;

/** An absolute URL resolves the same from any parent; anything else only from the same one. */
export const resolutionKey = (specifier: string, parentUrl: string | undefined): string =>
  ABSOLUTE_URL.test(specifier) ? specifier : `${resolvedFromPrefix(parentUrl ?? '')}${specifier}`;
