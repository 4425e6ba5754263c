import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';

const GREET = 'test/fixtures/flows/greet.ts'; // takes `name` only
const TYPED = 'test/fixtures/params/typed.ts'; // takes `stop` and `label`

describe('FLOW_PARAMS: one variable for a whole pipeline', { concurrency: true }, () => {
  it('is ignored by a flow that does not take its keys', async () => {
    const result = await runCli(['run', GREET, '--param', 'name=ada'], { env: { FLOW_PARAMS: '{"stop": 5}' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hello ada\n');
  });

  it('reaches a flow that takes them', async () => {
    const result = await runCli(['run', TYPED], { env: { FLOW_PARAMS: '{"stop": 5, "name": "unused"}' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'x 5\n');
  });

  it('while --params and --param, which name one flow, still refuse a key it does not take', async () => {
    const [json, flag] = await Promise.all([
      runCli(['run', GREET, '--params', '{"name": "ada", "stop": 5}']),
      runCli(['run', GREET, '--param', 'name=ada', '--param', 'stop=5'], { env: { FLOW_PARAMS: '{"stop": 5}' } }),
    ]);
    assert.equal(json.code, 2);
    assert.match(json.stderr, /^error: flow 'greet' has no parameter 'stop' \(from --params\)/);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^error: flow 'greet' has no parameter 'stop' \(from --param stop=5\)/);
  });
});

describe('flow config <flow>: the parameters a run would get', { concurrency: true }, () => {
  let project = '';
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'flowrun-config-params-'));
    writeFileSync(join(project, 'package.json'), '{"type": "module"}');
    writeFileSync(
      join(project, '.flowrc.json'),
      JSON.stringify({ params: { limit: 7, region: 'eu' }, flows: { etl: { params: { day: '2026-01-31', limit: 8 } }, other: { params: { limit: 1 } } } }),
    );
    mkdirSync(join(project, 'flows'));
    writeFileSync(
      join(project, 'flows', 'etl.ts'),
      [
        "import { flow, z } from 'flowrun';",
        'const params = z.object({ stop: z.number(), day: z.string(), limit: z.number().default(10), label: z.string().default("x"), note: z.string().optional() });',
        "export default flow({ name: 'etl', params }, async (given) => { console.log(JSON.stringify(given)); });",
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('merges every layer over the flow’s defaults, each key with its source, as the run gets them', async () => {
    const env = { FLOW_PARAMS: '{"stop": 5, "unrelated": true}' };
    const [config, run] = await Promise.all([runCli(['config', 'etl'], { cwd: project, env }), runCli(['run', 'etl'], { cwd: project, env })]);
    assert.equal(config.code, 0, config.stderr);
    const lines = config.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.filter((line) => line.startsWith('params')),
      [
        'params.stop       = 5 (from FLOW_PARAMS)',
        'params.day        = "2026-01-31" (from .flowrc.json (flows.etl.params))',
        'params.limit      = 8 (from .flowrc.json (flows.etl.params))',
        'params.label      = "x" (from flow \'etl\' default)',
      ],
    );
    assert.ok(lines.includes('runner            = "concurrent" (from default)'), config.stdout);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { stop: 5, day: '2026-01-31', limit: 8, label: 'x' });
  });

  it('takes --param and --params as a run does', async () => {
    const result = await runCli(['config', 'etl', '--params', '{"stop": 1, "day": "today"}', '--param', 'limit=3'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^params\.stop {7}= 1 \(from --params\)$/m);
    assert.match(result.stdout, /^params\.day {8}= "today" \(from --params\)$/m);
    assert.match(result.stdout, /^params\.limit {6}= 3 \(from --param limit=3\)$/m);
  });

  it('shows a required parameter that nothing sets, and refuses a bad value as the run would', async () => {
    const [missing, bad] = await Promise.all([
      runCli(['config', 'etl'], { cwd: project }),
      runCli(['config', 'etl', '--param', 'stop=abc'], { cwd: project }),
    ]);
    assert.equal(missing.code, 0, missing.stderr);
    assert.match(missing.stdout, /^params\.stop {7}= \(not set; flow 'etl' requires it: pass --param stop=<value>\)$/m);
    assert.match(missing.stdout, /^params\.limit {6}= 8 \(from \.flowrc\.json \(flows\.etl\.params\)\)$/m);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'error: parameter \'stop\' must be a number, got "abc" (from --param stop=abc)\n');
  });

  it('without a flow, shows the shared defaults as one setting', async () => {
    const result = await runCli(['config'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^params {12}= \{"limit":7,"region":"eu"\} \(from \.flowrc\.json\)$/m);
    assert.doesNotMatch(result.stdout, /^params\./m);
  });
});
