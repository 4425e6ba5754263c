import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Most runs have no config file. Looking for one with cosmiconfig costs some
// 17 ms of every `flow run` (importing it, then its search); this check costs
// a few file lookups. It is conservative: it looks in every folder up to the
// root, past where cosmiconfig's project search stops, so it never says
// "none" where cosmiconfig would find a file.

const isPackageWithKey = (path: string, key: string): boolean => {
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof manifest === 'object' && manifest !== null && key in manifest;
  } catch {
    // Unreadable or malformed: let cosmiconfig look, and say what is wrong.
    return true;
  }
};

/** Whether `searchPlaces`, looked for from `cwd` up to the root, may hold a config file. */
export const mayHaveConfigFile = (cwd: string, searchPlaces: readonly string[], packageKey: string): boolean => {
  for (let folder = cwd; ; folder = dirname(folder)) {
    for (const place of searchPlaces) {
      const path = join(folder, place);
      if (existsSync(path) && (place !== 'package.json' || isPackageWithKey(path, packageKey))) {
        return true;
      }
    }
    if (dirname(folder) === folder) {
      return false;
    }
  }
};
