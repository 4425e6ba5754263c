import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { FLOW_BIN, runCli } from '../helpers/run-cli.js';
import { missingTool } from '../helpers/required-tool.js';

// `flow run --junit PATH`: the report of every end of a run, read by a real,
// strict XML parser (Python's ElementTree, as CI tools' parsers are strict).

const noPython = missingTool('python3', 'python3');

const SECRET = 'tok&en<s3cret>';

const FLOWS: Record<string, string> = {
  'checks.ts': `import { flow, task, secret, z } from 'flowrun';
export const ok = task('ok', (x: number) => x);
export const bad = task('bad', (token: string) => { throw new Error('bad \\u001b[31mred\\u001b[0m row\\u0007 with ' + token + ' & <tags>'); });
export const needsBad = task('needs_bad', (x: number) => x);
export const child = flow({ name: 'child-checks' }, async () => [ok.submit(1), ok.submit(2)]);
export default flow({ name: 'checks', params: z.object({ token: secret() }) }, async ({ token }) => {
  await child();
  const failed = bad.submit(token);
  return [ok.submit(0), failed, needsBad.submit(failed)];
});
`,
  'thrower.ts': `import { flow, task } from 'flowrun';
export const ok = task('ok', () => 1);
export default flow({ name: 'thrower' }, async () => { await ok(); throw new Error('the flow itself failed'); });
`,
  'slow.ts': `import { flow, task } from 'flowrun';
export const quick = task('quick', () => 1);
export const sleepy = task('sleepy', () => new Promise((resolve) => setTimeout(resolve, 30_000)));
export default flow({ name: 'slow' }, async () => { await quick(); console.log('started'); await sleepy(); });
`,
};

const makeProject = (test: TestContext): string => makeFlowProject(test, 'junit-project', FLOWS);

interface ParsedCase {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; text: string };
  skipped?: { message: string };
}

interface ParsedSuite {
  name: string;
  attributes: Record<string, string>;
  properties: Record<string, string>;
  cases: ParsedCase[];
}

const PARSER = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suites = []
for suite in root.findall('testsuite'):
    cases = []
    for case in suite.findall('testcase'):
        entry = dict(case.attrib)
        failure = case.find('failure')
        if failure is not None:
            entry['failure'] = dict(failure.attrib, text=failure.text or '')
        skipped = case.find('skipped')
        if skipped is not None:
            entry['skipped'] = dict(skipped.attrib)
        cases.append(entry)
    properties = {p.get('name'): p.get('value') for p in suite.iter('property')}
    suites.append({'name': suite.get('name'), 'attributes': dict(suite.attrib), 'properties': properties, 'cases': cases})
print(json.dumps({'attributes': dict(root.attrib), 'suites': suites}))
`;

const parseReport = (path: string): { attributes: Record<string, string>; suites: ParsedSuite[] } => {
  const parsed = spawnSync('python3', ['-c', PARSER, path], { encoding: 'utf8' });
  assert.equal(parsed.status, 0, parsed.stderr);
  return JSON.parse(parsed.stdout) as { attributes: Record<string, string>; suites: ParsedSuite[] };
};

const shortName = (name: string): string => name.replace(/-[0-9a-f]{8}-(\d+)$/, '-$1');

describe('flow run --junit', { concurrency: true, skip: noPython }, () => {
  for (const runner of ['sequential', 'concurrent', 'parallel']) {
    it(`writes a suite per flow run with a case per task run: failures with their stacks, NotReady skipped (${runner} runner)`, async (t) => {
      const project = makeProject(t);
      const report = join(project, 'reports', 'nested', 'junit.xml');
      const result = await runCli(['run', 'checks', '--runner', runner, '--junit', 'reports/nested/junit.xml'], {
        cwd: project,
        env: { FLOW_PARAMS: JSON.stringify({ token: SECRET }) },
      });
      assert.equal(result.code, 1, result.stderr);
      const raw = readFileSync(report, 'utf8');
      assert.ok(!raw.includes('s3cret'), raw);
      const { attributes, suites } = parseReport(report);
      assert.deepEqual(
        { tests: attributes['tests'], failures: attributes['failures'], skipped: attributes['skipped'], errors: attributes['errors'] },
        { tests: '5', failures: '1', skipped: '1', errors: '0' },
      );
      assert.deepEqual(
        suites.map((suite) => [suite.name, suite.attributes['tests'], suite.attributes['failures'], suite.attributes['skipped'], suite.properties['state']]),
        [
          ['checks', '3', '1', '1', 'Failed'],
          ['child-checks', '2', '0', '0', 'Completed'],
        ],
      );
      const [top] = suites;
      const cases = Object.fromEntries((top?.cases ?? []).map((testCase) => [shortName(testCase.name), testCase]));
      assert.deepEqual(Object.keys(cases).sort(), ['bad-0', 'needs_bad-0', 'ok-0']);
      assert.equal(cases['ok-0']?.classname, 'checks');
      assert.match(cases['ok-0']?.time ?? '', /^\d+\.\d{3}$/);
      const failure = cases['bad-0']?.failure;
      assert.equal(failure?.type, 'Failed');
      // Colours and the bell are gone, the markup characters came through escaped, the secret is masked.
      assert.equal(failure?.message, 'Task run encountered an exception Error: bad red row with ******** & <tags>');
      assert.match(failure?.text ?? '', /^Error: bad red row with \*{8} & <tags>\n {4}at .*checks\.ts:3:/);
      assert.match(cases['needs_bad-0']?.skipped?.message ?? '', /^Upstream task run 'bad-[0-9a-f]{8}-0' did not reach a 'COMPLETED' state\.$/);
      assert.match(top?.properties['flowRunName'] ?? '', /^[a-z]+-[a-z]+$/);
    });
  }

  it('counts a flow run that failed in its own code as a failed case, so the report is not green', async (t) => {
    const project = makeProject(t);
    const result = await runCli(['run', 'thrower', '--junit', 'junit.xml'], { cwd: project });
    assert.equal(result.code, 1, result.stderr);
    const { suites } = parseReport(join(project, 'junit.xml'));
    const cases = suites[0]?.cases ?? [];
    assert.equal(cases.length, 2);
    assert.equal(cases[0]?.failure, undefined);
    assert.match(cases[1]?.name ?? '', /^flow run '[a-z]+-[a-z]+'$/);
    assert.equal(cases[1]?.failure?.message, 'Flow run encountered an exception: Error: the flow itself failed');
  });

  it('is written when the run is cancelled by SIGINT, with its unfinished task run skipped', async (t) => {
    const project = makeProject(t);
    const child = spawn(process.execPath, [FLOW_BIN, 'run', 'slow', '--junit', 'junit.xml'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130);
    const { suites } = parseReport(join(project, 'junit.xml'));
    assert.equal(suites[0]?.properties['state'], 'Cancelled');
    const cases = Object.fromEntries((suites[0]?.cases ?? []).map((testCase) => [shortName(testCase.name), testCase]));
    assert.equal(cases['quick-0']?.failure, undefined);
    assert.equal(cases['quick-0']?.skipped, undefined);
    assert.ok(cases['sleepy-0']?.skipped, JSON.stringify(cases));
  });

  it('is not written when the input is bad (exit 2: there was no run)', async (t) => {
    const project = makeProject(t);
    const result = await runCli(['run', 'checks', '--junit', 'junit.xml'], { cwd: project });
    assert.equal(result.code, 2);
    assert.equal(existsSync(join(project, 'junit.xml')), false);
  });
});
