import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/browser.js';
import { makeFlowProject } from '../helpers/flow-project.js';
import { runCli } from '../helpers/run-cli.js';

// The run report looked at in a real browser (headless Chromium): it opens
// from disk with no error and no request, draws every task run, and its
// log filters work.

const FLOW = `import { flow, task, getRunLogger } from 'flowrun';
export const fetchRows = task({ name: 'fetch_rows', retries: 1 }, (attempts: { count: number }) => {
  attempts.count += 1;
  if (attempts.count === 1) throw new Error('flaky network');
  return 3;
});
export const step = task('step', async (ms: number) => { await new Promise((resolve) => setTimeout(resolve, ms)); getRunLogger().info(\`stepped \${ms}\`); return ms; });
export const explode = task('explode', () => { throw new Error('disk on fire'); });
const load = flow({ name: 'load' }, async () => step(5));
export default flow({ name: 'pictured' }, async () => {
  await fetchRows({ count: 0 });
  await Promise.all(step.map([30, 10, 20, 5]));
  await load();
  await explode.submit().wait();
});
`;

// What the page's callbacks read of the elements they are given (the
// project's TypeScript has no DOM library).
interface PageElement {
  readonly textContent: string | null;
  readonly children: ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}

const skip = chromiumMissing();

describe('the run report in Chromium', { skip }, () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('opens from disk with no console error and no request, draws every task run in time order, shows the failure, and filters its lines', async (t) => {
    const project = makeFlowProject(t, 'report-browser', { 'pictured.ts': FLOW });
    const run = await runCli(['run', 'pictured'], { cwd: project });
    assert.equal(run.code, 1, run.stderr);
    const name = /Flow run '([a-z]+-[a-z]+)' - Finished in state Failed/.exec(run.stderr)?.[1] ?? '';
    const report = await runCli(['runs', 'report', name, '-o', 'report.html'], { cwd: project });
    assert.equal(report.code, 0, report.stderr);
    const url = pathToFileURL(join(project, 'report.html')).href;
    const page = await (browser as Browser).newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    await page.goto(url);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url]);

    // Every task run a bar: fetch_rows, four steps, the subflow's step, explode.
    const bars = await page.$$eval('#timeline g.bar', (groups: PageElement[]) => groups.map((group) => ({ task: group.getAttribute('data-task'), start: Number(group.querySelector('rect[data-start]')?.getAttribute('data-start') ?? -1) })));
    assert.equal(bars.length, 7);
    const steps = bars.filter((bar) => bar.task === 'step').map((bar) => bar.start);
    assert.equal(steps.length, 5);
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'in time order');
    const groups = await page.$$eval('#timeline svg > text[font-weight="600"]', (texts: PageElement[]) => texts.map((text) => text.textContent));
    assert.deepEqual(groups, ['fetch_rows (1)', 'step (5: 5 Completed)', 'explode (1)']);
    assert.match((await page.textContent('#timeline g.bar[data-task="fetch_rows"] title')) ?? '', /: Completed\(\) in [\d.]+m?s, 2 attempts$/);

    const failures = (await page.textContent('#failures')) ?? '';
    assert.match(failures, /Task run 'explode-[0-9a-f]{8}-0' Failed\('Task run encountered an exception Error: disk on fire'\)/);
    assert.match(failures, /Encountered exception during execution:\s*Error: disk on fire\s+at /);

    const rows = async (): Promise<{ level: string; source: string; text: string }[]> =>
      page.$$eval('#logs tr', (trs: PageElement[]) => trs.map((tr) => ({ level: tr.children[1]?.textContent ?? '', source: tr.children[2]?.textContent ?? '', text: tr.children[3]?.textContent ?? '' })));
    const all = await rows();
    assert.ok(all.some((row) => row.text === 'Finished in state Completed()'));
    assert.ok(all.some((row) => /flaky network/.test(row.text)), 'the retried attempt is there');
    await page.selectOption('#level', 'ERROR');
    const errors = await rows();
    assert.ok(errors.length >= 3 && errors.length < all.length);
    assert.ok(errors.every((row) => row.level === 'ERROR' || row.level === 'CRITICAL'));
    await page.selectOption('#level', 'DEBUG');
    await page.selectOption('#task', 'step');
    const ofStep = await rows();
    assert.ok(ofStep.length >= 5 * 4, String(ofStep.length));
    assert.ok(ofStep.every((row) => /'step-[0-9a-f]{8}-\d'/.test(`${row.source} ${row.text}`)));
    assert.match(await page.textContent('#count') ?? '', new RegExp(`^${ofStep.length} of ${ofStep.length} lines$`));
    await page.close();
  });
});
