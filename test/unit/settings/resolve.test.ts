import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, ParameterError, UsageError } from '../../../src/errors.js';
import type { LoadedConfig } from '../../../src/settings/config-file.js';
import { collectParameterInputs } from '../../../src/settings/parameter-sources.js';
import { validateParameters } from '../../../src/settings/params.js';
import { resolveSettings } from '../../../src/settings/resolve.js';

const loaded = (config: Record<string, unknown>): LoadedConfig => ({ filepath: '/x/.flowrc', label: '.flowrc', config });

// A ConfigError (a UsageError: exit status 2) whose message contains every fragment.
const configErrorWith =
  (...fragments: string[]) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.ok(error instanceof UsageError);
    for (const fragment of fragments) {
      assert.ok(error.message.includes(fragment), `${JSON.stringify(error.message)} should contain ${JSON.stringify(fragment)}`);
    }
    return true;
  };

describe('resolveSettings: precedence', () => {
  const config = loaded({ runner: 'sequential', logLevel: 'ERROR', flows: { etl: { runner: 'parallel', logLevel: 'WARNING' } } });

  it('takes a flag over everything else', () => {
    const settings = resolveSettings({
      flags: { runner: 'concurrent', logLevel: 'CRITICAL' },
      env: { FLOW_RUNNER: 'sequential', FLOW_LOG_LEVEL: 'DEBUG' },
      config,
      flowName: 'etl',
      flowDefinition: { runner: 'sequential' },
    });
    assert.equal(settings.values.runner, 'concurrent');
    assert.deepEqual(settings.sources.runner, { kind: 'flag', label: '--runner' });
    assert.equal(settings.values.logLevel, 'CRITICAL');
    assert.deepEqual(settings.sources.logLevel, { kind: 'flag', label: '--log-level' });
  });

  it('ignores a flag left undefined (not given on the command line)', () => {
    const settings = resolveSettings({ flags: { runner: undefined }, env: { FLOW_RUNNER: 'sequential' } });
    assert.equal(settings.values.runner, 'sequential');
    assert.deepEqual(settings.sources.runner, { kind: 'env', label: 'FLOW_RUNNER' });
  });

  it('takes a FLOW_* variable over the config file and the flow definition', () => {
    const settings = resolveSettings({
      env: { FLOW_RUNNER: 'sequential', FLOW_LOG_LEVEL: 'DEBUG' },
      config,
      flowName: 'etl',
      flowDefinition: { runner: 'concurrent' },
    });
    assert.equal(settings.values.runner, 'sequential');
    assert.deepEqual(settings.sources.runner, { kind: 'env', label: 'FLOW_RUNNER' });
    assert.equal(settings.values.logLevel, 'DEBUG');
    assert.deepEqual(settings.sources.logLevel, { kind: 'env', label: 'FLOW_LOG_LEVEL' });
  });

  it('ignores an empty FLOW_* variable', () => {
    const settings = resolveSettings({ env: { FLOW_RUNNER: '' }, config });
    assert.equal(settings.values.runner, 'sequential');
    assert.equal(settings.sources.runner.kind, 'config');
  });

  it("takes the config file's flows.<name> entry over the flow definition", () => {
    const settings = resolveSettings({ env: {}, config, flowName: 'etl', flowDefinition: { runner: 'sequential' } });
    assert.equal(settings.values.runner, 'parallel');
    assert.deepEqual(settings.sources.runner, { kind: 'config-flow', label: '.flowrc (flows.etl.runner)' });
    assert.equal(settings.values.logLevel, 'WARNING');
    assert.deepEqual(settings.sources.logLevel, { kind: 'config-flow', label: '.flowrc (flows.etl.logLevel)' });
  });

  it("uses another flow's entry for nothing", () => {
    const settings = resolveSettings({ env: {}, config, flowName: 'report' });
    assert.equal(settings.values.runner, 'sequential');
    assert.deepEqual(settings.sources.runner, { kind: 'config', label: '.flowrc' });
  });

  it("takes the flow definition over the config file's top level", () => {
    const settings = resolveSettings({ env: {}, config, flowName: 'report', flowDefinition: { runner: 'parallel' } });
    assert.equal(settings.values.runner, 'parallel');
    assert.deepEqual(settings.sources.runner, { kind: 'flow', label: "flow 'report'" });
    assert.equal(settings.values.logLevel, 'ERROR');
    assert.deepEqual(settings.sources.logLevel, { kind: 'config', label: '.flowrc' });
  });

  it("takes the config file's top level over the defaults", () => {
    const settings = resolveSettings({ env: {}, config: loaded({ runner: 'sequential', storeDir: 'cache' }) });
    assert.equal(settings.values.runner, 'sequential');
    assert.deepEqual(settings.sources.runner, { kind: 'config', label: '.flowrc' });
    assert.equal(settings.values.storeDir, 'cache');
    assert.deepEqual(settings.sources.storeDir, { kind: 'config', label: '.flowrc' });
  });

  it('falls back to the built-in defaults', () => {
    const settings = resolveSettings({ env: {} });
    assert.deepEqual(settings.values, {
      flowsDir: 'flows',
      runner: 'concurrent',
      workers: availableParallelism(),
      redis: 'redis://127.0.0.1:6379',
      queue: 'flowrun',
      logLevel: 'INFO',
      logFormat: 'text',
      timeoutSeconds: null,
      overlap: 'allow',
      params: {},
      concurrencyLimits: {},
      storeDir: '.flow',
      history: true,
    });
    for (const source of Object.values(settings.sources)) {
      assert.deepEqual(source, { kind: 'default', label: 'default' });
    }
    assert.deepEqual(settings.warnings, []);
  });
});

describe('resolveSettings: values from the environment', () => {
  it('reads FLOW_WORKERS="3" as the number 3', () => {
    const settings = resolveSettings({ env: { FLOW_WORKERS: '3' } });
    assert.equal(settings.values.workers, 3);
    assert.deepEqual(settings.sources.workers, { kind: 'env', label: 'FLOW_WORKERS' });
  });

  it('reads FLOW_LOG_LEVEL="debug" as DEBUG', () => {
    assert.equal(resolveSettings({ env: { FLOW_LOG_LEVEL: 'debug' } }).values.logLevel, 'DEBUG');
  });

  it('keeps a path that looks like a number as text', () => {
    const settings = resolveSettings({ env: { FLOW_FLOWS_DIR: '123', FLOW_STORE_DIR: 'true' } });
    assert.equal(settings.values.flowsDir, '123');
    assert.equal(settings.values.storeDir, 'true');
    assert.deepEqual(settings.sources.flowsDir, { kind: 'env', label: 'FLOW_FLOWS_DIR' });
  });

  it('reads a JSON object from FLOW_CONCURRENCY_LIMITS', () => {
    const settings = resolveSettings({ env: { FLOW_CONCURRENCY_LIMITS: '{"db": 2}' } });
    assert.deepEqual(settings.values.concurrencyLimits, { db: 2 });
    assert.deepEqual(settings.sources.concurrencyLimits, { kind: 'env', label: 'FLOW_CONCURRENCY_LIMITS' });
  });

  it('reads a flag given as text the same way', () => {
    const settings = resolveSettings({ flags: { logLevel: 'warning' } });
    assert.equal(settings.values.logLevel, 'WARNING');
  });
});

describe('resolveSettings: invalid values', () => {
  it('names FLOW_WORKERS for a value that is not a number', () => {
    assert.throws(() => resolveSettings({ env: { FLOW_WORKERS: 'abc' } }), configErrorWith('FLOW_WORKERS', 'a positive integer', '"abc"'));
  });

  it('names FLOW_WORKERS for zero', () => {
    assert.throws(() => resolveSettings({ env: { FLOW_WORKERS: '0' } }), configErrorWith('FLOW_WORKERS', 'a positive integer', 'got 0'));
  });

  it('names FLOW_LOG_LEVEL for an unknown level', () => {
    assert.throws(() => resolveSettings({ env: { FLOW_LOG_LEVEL: 'loud' } }), configErrorWith('FLOW_LOG_LEVEL', '"loud"'));
  });

  it('names the flag for a bad flag value', () => {
    assert.throws(
      () => resolveSettings({ flags: { runner: 'fast' } }),
      configErrorWith('--runner', "one of 'sequential', 'concurrent', 'parallel'", '"fast"'),
    );
  });

  it("names the config file and the key for a bad top-level value", () => {
    assert.throws(() => resolveSettings({ config: loaded({ workers: -1 }) }), configErrorWith('.flowrc', "'workers'", 'a positive integer', '-1'));
  });

  it("names the config file and the key for a bad value in a flow's entry", () => {
    assert.throws(
      () => resolveSettings({ config: loaded({ flows: { etl: { runner: 'fast' } } }) }),
      configErrorWith('.flowrc', "'flows.etl.runner'", '"fast"'),
    );
  });

  it('checks every flow entry, not only the one being run', () => {
    assert.throws(
      () => resolveSettings({ config: loaded({ flows: { other: { workers: 'many' } } }), flowName: 'etl' }),
      configErrorWith('.flowrc', "'flows.other.workers'"),
    );
  });

  it("rejects a 'flows' key that is not an object", () => {
    assert.throws(() => resolveSettings({ config: loaded({ flows: ['etl'] }) }), configErrorWith('.flowrc', "'flows'"));
  });

  it('names the flow for a bad value in its definition', () => {
    assert.throws(
      () => resolveSettings({ flowName: 'etl', flowDefinition: { runner: 'fast' } }),
      configErrorWith("flow 'etl'", 'runner', '"fast"'),
    );
  });
});

describe('resolveSettings: unknown config keys', () => {
  it('warns about an unknown top-level key with a suggestion, and goes on', () => {
    const settings = resolveSettings({ config: loaded({ runer: 'sequential' }) });
    assert.equal(settings.warnings.length, 1);
    const [warning = ''] = settings.warnings;
    assert.match(warning, /\.flowrc/);
    assert.match(warning, /unknown key 'runer'/);
    assert.match(warning, /did you mean 'runner'\?/);
    assert.equal(settings.values.runner, 'concurrent');
  });

  it("warns about an unknown key in a flow's entry with a suggestion", () => {
    const settings = resolveSettings({ config: loaded({ flows: { etl: { wrokers: 2 } } }), flowName: 'etl' });
    assert.equal(settings.warnings.length, 1);
    const [warning = ''] = settings.warnings;
    assert.match(warning, /'flows\.etl\.wrokers'/);
    assert.match(warning, /did you mean 'workers'\?/);
  });

  it('gives no suggestion when nothing is close', () => {
    const [warning = ''] = resolveSettings({ config: loaded({ zzzzzzzzzz: 1 }) }).warnings;
    assert.match(warning, /unknown key 'zzzzzzzzzz'/);
    assert.doesNotMatch(warning, /did you mean/);
  });
});

describe('collectParameterInputs: precedence', () => {
  const config = loaded({
    params: { a: 'config', b: 'config', c: 'config', d: 'config', e: 'config' },
    flows: { etl: { params: { b: 'flow-entry', c: 'flow-entry', d: 'flow-entry', e: 'flow-entry' } } },
  });

  it('layers config params < flows.<name>.params < FLOW_PARAMS < --params < --param', () => {
    const inputs = collectParameterInputs({
      config,
      flowName: 'etl',
      env: { FLOW_PARAMS: '{"c": "env", "d": "env", "e": "env"}' },
      paramsJson: '{"d": "json", "e": "json"}',
      paramFlags: ['e=flag'],
    });
    assert.deepEqual(
      Object.fromEntries(Object.entries(inputs).map(([key, input]) => [key, [input.value, input.source]])),
      {
        a: ['config', 'config file .flowrc (params)'],
        b: ['flow-entry', 'config file .flowrc (flows.etl.params)'],
        c: ['env', 'FLOW_PARAMS'],
        d: ['json', '--params'],
        e: ['flag', '--param e=flag'],
      },
    );
  });

  it('marks the top-level config params and FLOW_PARAMS as shared, and nothing that names the flow', () => {
    const inputs = collectParameterInputs({
      config,
      flowName: 'etl',
      env: { FLOW_PARAMS: '{"f": 1, "g": 1, "h": 1}' },
      paramsJson: '{"g": 2}',
      paramFlags: ['h=3'],
    });
    assert.equal(inputs['a']?.shared, true);
    assert.equal(inputs['b']?.shared, false);
    assert.equal(inputs['f']?.shared, true);
    assert.equal(inputs['g']?.shared, false);
    assert.equal(inputs['h']?.shared, false);
  });

  it("keeps a key of the flow's own entry checked when FLOW_PARAMS sets it too", () => {
    const inputs = collectParameterInputs({ config, flowName: 'etl', env: { FLOW_PARAMS: '{"b": "env"}' } });
    assert.equal(inputs['b']?.value, 'env');
    assert.equal(inputs['b']?.shared, false);
  });

  it('lets a later --param win over an earlier one', () => {
    const inputs = collectParameterInputs({ paramFlags: ['stop=1', 'stop=2'] });
    assert.equal(inputs['stop']?.value, 2);
    assert.equal(inputs['stop']?.source, '--param stop=2');
  });

  it("ignores another flow's params", () => {
    const inputs = collectParameterInputs({ config, flowName: 'report' });
    assert.equal(inputs['b']?.value, 'config');
  });

  it('ignores an empty FLOW_PARAMS', () => {
    assert.deepEqual(collectParameterInputs({ env: { FLOW_PARAMS: '' } }), {});
  });

  it('names FLOW_PARAMS when it is not a JSON object', () => {
    assert.throws(
      () => collectParameterInputs({ env: { FLOW_PARAMS: '[1]' } }),
      (error: unknown) => error instanceof UsageError && error.message.startsWith('FLOW_PARAMS '),
    );
  });

  it('names the config file and key when params is not an object', () => {
    assert.throws(() => collectParameterInputs({ config: loaded({ params: 5 }) }), configErrorWith('.flowrc', "'params'"));
    assert.throws(
      () => collectParameterInputs({ config: loaded({ flows: { etl: { params: 'x' } } }), flowName: 'etl' }),
      configErrorWith('.flowrc', "'flows.etl.params'"),
    );
  });

  it('feeds validateParameters: shared defaults a flow does not take are dropped, its own entry is checked', () => {
    const schema = z.object({ stop: z.number() });
    const shared = loaded({ params: { stop: 1, region: 'eu' } });
    assert.deepEqual(validateParameters('etl', schema, collectParameterInputs({ config: shared, flowName: 'etl' })), { stop: 1 });
    const fromEnv = collectParameterInputs({ flowName: 'etl', env: { FLOW_PARAMS: '{"stop": 2, "region": "eu"}' } });
    assert.deepEqual(validateParameters('etl', schema, fromEnv), { stop: 2 });

    const own = loaded({ flows: { etl: { params: { stop: 1, region: 'eu' } } } });
    assert.throws(
      () => validateParameters('etl', schema, collectParameterInputs({ config: own, flowName: 'etl' })),
      (error: unknown) =>
        error instanceof ParameterError && error.message.includes("no parameter 'region'") && error.message.includes('flows.etl.params'),
    );
  });
});
