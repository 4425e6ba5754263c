import { spawnSync } from 'node:child_process';

// A test that needs a program flowrun itself does not (python3 for its strict
// XML parser, later redis-server, chromium) skips without it, with one line
// naming what to install; under FLOW_TEST_REQUIRE_SERVICES=1 (.ci/run) a
// missing one fails instead, so CI never skips.

/** Undefined when `command` runs here; else the skip reason. Throws when services are required. */
export const missingTool = (command: string, debianPackage: string): string | undefined => {
  const found = spawnSync(command, ['--version'], { stdio: 'ignore' });
  if (found.error === undefined && found.status === 0) {
    return undefined;
  }
  const reason = `${command} is not installed (apt-get install ${debianPackage})`;
  if (process.env['FLOW_TEST_REQUIRE_SERVICES'] === '1') {
    throw new Error(`${reason}, and FLOW_TEST_REQUIRE_SERVICES=1 requires it`);
  }
  return reason;
};
