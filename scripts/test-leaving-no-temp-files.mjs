// Runs the test files given on its command line (`node --import tsx --test
// <files>`) with a temp directory of their own, and fails if the tests left
// anything in it: a test that makes temporary files must remove them, even
// when it fails. Every process the tests start inherits TMPDIR, so the CLI
// runs and worker threads are checked too. The directory goes at the end
// either way, so nothing stays behind in the system's temp directory.
//
// Plain JavaScript rather than TypeScript run through tsx: tsx would compile
// this file into its cache in the system's temp directory before it could
// point anything elsewhere.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { constants, tmpdir, userInfo } from 'node:os';
import { join, relative } from 'node:path';

// tsx keeps compiled files in <tmpdir>/tsx-<uid>, shared by every test
// process of the run (turning it off made the tests that start worker threads a third slower).
// It is tsx's, not a test's: it is not a leftover, and goes with the directory.
const tsxCache = `tsx-${process.geteuid?.() ?? userInfo().username}`;

// At most this many paths in the report: the first ones name the culprit.
const MAX_LISTED = 40;

/** Every file under `folder`, and every folder with nothing in it, relative to `root`. */
const listTree = (root, folder) =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (!entry.isDirectory()) {
      return [relative(root, path)];
    }
    const below = listTree(root, path);
    return below.length > 0 ? below : [`${relative(root, path)}/`];
  });

const scratch = mkdtempSync(join(tmpdir(), 'flowrun-tests-'));
const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2)], {
  // The test runner's own output (`# tests N`, `# pass N`...) passes through untouched.
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: scratch, TMP: scratch, TEMP: scratch },
});

// Ctrl-C reaches the test runner too (same process group): let it stop its
// tests, then clean up here. A SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));

const [code, signal] = await new Promise((resolve) => {
  child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
});

let leftovers = [];
try {
  leftovers = listTree(scratch, scratch).filter((path) => !path.startsWith(`${tsxCache}/`));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (leftovers.length > 0) {
  const shown = leftovers.slice(0, MAX_LISTED).map((path) => `  ${path}`);
  if (leftovers.length > MAX_LISTED) {
    shown.push(`  ... and ${leftovers.length - MAX_LISTED} more`);
  }
  process.stderr.write(
    `error: the tests left ${leftovers.length} path(s) in their temp directory (os.tmpdir()); remove them in an after() or finally:\n${shown.join('\n')}\n`,
  );
}

if (signal !== null) {
  process.exitCode = 128 + (constants.signals[signal] ?? 0);
} else if (code !== 0) {
  process.exitCode = code ?? 1;
} else {
  process.exitCode = leftovers.length > 0 ? 1 : 0;
}
