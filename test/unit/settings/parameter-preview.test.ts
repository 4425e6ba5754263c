import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ParameterError } from '../../../src/errors.js';
import type { LoadedConfig } from '../../../src/settings/config-file.js';
import { previewParameters } from '../../../src/settings/parameter-preview.js';
import { collectParameterInputs } from '../../../src/settings/parameter-sources.js';
import { secret } from '../../../src/settings/secret-schema.js';

const config: LoadedConfig = {
  filepath: '/x/.flowrc',
  label: '.flowrc',
  config: { params: { limit: 7, region: 'eu' }, flows: { etl: { params: { day: 'monday' } } } },
};

const schema = z.object({
  stop: z.number().int(),
  day: z.string(),
  limit: z.number().default(10),
  label: z.string().default('x'),
  note: z.string().optional(),
});

describe('previewParameters', () => {
  it('gives each value a run would get with its source, in the order of the schema', () => {
    const inputs = collectParameterInputs({ config, flowName: 'etl', env: { FLOW_PARAMS: '{"stop": 5}' }, paramFlags: ['label=y'] });
    assert.deepEqual(previewParameters('etl', schema, inputs), [
      { key: 'stop', set: true, value: 5, source: 'FLOW_PARAMS' },
      { key: 'day', set: true, value: 'monday', source: '.flowrc (flows.etl.params)' },
      { key: 'limit', set: true, value: 7, source: '.flowrc (params)' },
      { key: 'label', set: true, value: 'y', source: '--param label=y' },
    ]);
  });

  it("names the flow's own default as the source of what no layer sets", () => {
    const inputs = collectParameterInputs({ flowName: 'etl', paramFlags: ['stop=1', 'day=monday'] });
    const limit = previewParameters('etl', schema, inputs).find((preview) => preview.key === 'limit');
    assert.deepEqual(limit, { key: 'limit', set: true, value: 10, source: "flow 'etl' default" });
  });

  it('marks required parameters that nothing sets, and still reads the others', () => {
    const inputs = collectParameterInputs({ config, flowName: 'etl' });
    assert.deepEqual(previewParameters('etl', schema, inputs), [
      { key: 'stop', set: false },
      { key: 'day', set: true, value: 'monday', source: '.flowrc (flows.etl.params)' },
      { key: 'limit', set: true, value: 7, source: '.flowrc (params)' },
      { key: 'label', set: true, value: 'x', source: "flow 'etl' default" },
    ]);
  });

  it('refuses what the run would refuse: a bad value, a key the flow does not take from a source that names it', () => {
    const bad = collectParameterInputs({ config, flowName: 'etl', paramFlags: ['stop=abc'] });
    assert.throws(() => previewParameters('etl', schema, bad), (error: unknown) => error instanceof ParameterError && /parameter 'stop' must be/.test(error.message));
    const unknown = collectParameterInputs({ flowName: 'etl', paramFlags: ['stpo=1'] });
    assert.throws(() => previewParameters('etl', schema, unknown), (error: unknown) => error instanceof ParameterError && /no parameter 'stpo'/.test(error.message));
  });

  it('passes everything given through for a flow without a schema', () => {
    const inputs = collectParameterInputs({ flowName: 'free', env: { FLOW_PARAMS: '{"a": 1}' } });
    assert.deepEqual(previewParameters('free', undefined, inputs), [{ key: 'a', set: true, value: 1, source: 'FLOW_PARAMS' }]);
  });
});

describe('previewParameters with secrets', () => {
  const withSecrets = z.object({ token: secret(), backup: secret().default('default-backup-secret'), stop: z.number() });

  it('marks them secret, with a source that does not hold the value', () => {
    const inputs = collectParameterInputs({ paramFlags: ['token=hunter2-very-secret', 'stop=5'] });
    const previews = previewParameters('deploy', withSecrets, inputs);
    assert.deepEqual(
      previews.map((preview) => (preview.set ? [preview.key, preview.source, preview.secret ?? false] : [preview.key])),
      [
        ['token', '--param token=********', true],
        ['backup', "flow 'deploy' default", true],
        ['stop', '--param stop=5', false],
      ],
    );
    assert.ok(!JSON.stringify(previews.map((preview) => (preview.set ? preview.source : ''))).includes('hunter2'));
  });

  it('refuses a bad secret without quoting it', () => {
    const inputs = collectParameterInputs({ paramFlags: ['token=5'] });
    assert.throws(
      () => previewParameters('deploy', z.object({ token: secret().min(8) }), inputs),
      (error: unknown) => error instanceof ParameterError && error.message.endsWith('got ******** (from --param token=********)'),
    );
  });
});
