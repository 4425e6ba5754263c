import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// A task is found on another machine by its module's path relative to the
// project root (the same in every checkout) and known to be the same task by
// the hash of the module's content: a worker whose checkout holds another
// version of the file, or none, does not run it (Prefect users lose days to
// workers that import another version of their flow: Prefect issues 16419,
// 16904).

/** A module's path relative to `root` ('/' separators), or undefined when it is not under it. */
export const projectRelativePath = (moduleUrl: string, root: string): string | undefined => {
  const path = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  const relativePath = relative(root, path);
  if (relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath)) {
    return undefined;
  }
  return relativePath.split(sep).join('/');
};

/**
 * The absolute path of a project-relative module path under `root`, or
 * undefined when it would lead out of the project (a job from the queue
 * names only files of the project).
 */
export const pathInProject = (root: string, modulePath: string): string | undefined => {
  const parts = modulePath.split('/');
  if (isAbsolute(modulePath) || parts.some((part) => part === '..' || part === '')) {
    return undefined;
  }
  return join(root, ...parts);
};

const hashes = new Map<string, { readonly mtimeMs: number; readonly size: number; readonly hash: string }>();

/** The SHA-256 (hex) of a file's content, read again only when the file changed. */
export const hashFile = (path: string): string => {
  const stats = statSync(path);
  const known = hashes.get(path);
  if (known !== undefined && known.mtimeMs === stats.mtimeMs && known.size === stats.size) {
    return known.hash;
  }
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  hashes.set(path, { mtimeMs: stats.mtimeMs, size: stats.size, hash });
  return hash;
};
