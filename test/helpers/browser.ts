import type { Browser } from 'playwright-core';
import { missingTool } from './required-tool.js';

// Headless Chromium for the tests that look at a page: Debian's chromium
// driven by playwright-core (which downloads no browser). Without it those
// tests skip, naming the package; under FLOW_TEST_REQUIRE_SERVICES=1 (CI)
// they fail instead.

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests skip here, or undefined when they can run. */
export const chromiumMissing = (): string | undefined => missingTool(CHROMIUM, 'chromium');

export const launchChromium = async (): Promise<Browser> => {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM });
};
