import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { makeTempDir } from './temp-dir.js';

/**
 * A project as a user has one, removed when the test ends: an ESM
 * package.json named `name`, each of `flows` as flows/<file>, and each of
 * `files` at its path (a config file, say).
 */
export const makeFlowProject = (
  test: TestContext,
  name: string,
  flows: Readonly<Record<string, string>>,
  files: Readonly<Record<string, string>> = {},
): string => {
  const project = makeTempDir(test, `flowrun-${name}-`);
  mkdirSync(join(project, 'flows'));
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name, type: 'module' })}\n`);
  for (const [file, source] of Object.entries(flows)) {
    writeFileSync(join(project, 'flows', file), source);
  }
  for (const [path, text] of Object.entries(files)) {
    writeFileSync(join(project, path), text);
  }
  return project;
};
