import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// mkdir -p. Not `mkdirSync(dir, { recursive: true })`: Node 20's loops
// for good, at full CPU, where a directory cannot be made in a parent that
// exists (`/proc/x/y`: ENOENT for the child, EEXIST for the parent, again
// and again), and `--junit /proc/x/report.xml` hung the CLI. Here each
// missing directory is made once, from the top, and the first that cannot
// be made throws.

export const makeDirs = (dir: string): void => {
  const missing: string[] = [];
  let current = resolve(dir);
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) {
      break;
    }
    current = parent;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      // Made meanwhile by another process: as good.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(path).isDirectory()) {
        throw error;
      }
    }
  }
};
