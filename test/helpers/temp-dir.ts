import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

// A fresh folder in the system's temp directory for one test, removed when
// the test ends, passed or failed: `npm test` fails on anything the tests
// leave there.
export const makeTempDir = (test: TestContext, prefix: string): string => {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  test.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
};
