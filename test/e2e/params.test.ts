import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
