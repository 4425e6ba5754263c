import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from './own-paths.js';

// Whether a file is flowrun's own code (its src/ or dist/), so that stacks and
// call sites can tell the user's frames from ours.
export const isFlowrunFile = (pathOrUrl: string): boolean => {
  const path = pathOrUrl.startsWith('file://') ? fileURLToPath(pathOrUrl) : pathOrUrl;
  const fromRoot = relative(PACKAGE_ROOT, path);
  return fromRoot.startsWith(`src${sep}`) || fromRoot.startsWith(`dist${sep}`);
};

// `at fn (file:///x.ts:5:27)` or `at file:///x.ts:5:27`: the location without line and column.
export const getFrameLocation = (line: string): string | undefined => {
  const trimmed = line.trim();
  if (!trimmed.startsWith('at ')) {
    return undefined;
  }
  const inParentheses = trimmed.endsWith(')') ? trimmed.slice(trimmed.lastIndexOf('(') + 1, -1) : trimmed.slice(3);
  const match = /^(.*):\d+:\d+$/.exec(inParentheses);
  const location = match?.[1];
  return location !== undefined && (location.startsWith('file://') || location.startsWith('/')) ? location : undefined;
};

// A user's stack without the engine frames under it: everything from the
// first flowrun frame down is how flowrun called the task, not the bug.
export const trimOwnFrames = (stack: string): string => {
  const lines = stack.split('\n');
  const firstOwn = lines.findIndex((line, index) => {
    const location = index > 0 ? getFrameLocation(line) : undefined;
    return location !== undefined && isFlowrunFile(location);
  });
  return firstOwn > 0 ? lines.slice(0, firstOwn).join('\n') : stack;
};
