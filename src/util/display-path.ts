import { isAbsolute, relative } from 'node:path';

// A path as messages show it: relative to the working directory when it is
// inside it (`flows/etl.ts`), absolute otherwise (`/tmp/etl.ts`, not `../../tmp/etl.ts`).
export const displayPath = (path: string, cwd = process.cwd()): string => {
  const fromCwd = relative(cwd, path);
  return fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
};
