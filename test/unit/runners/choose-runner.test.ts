import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseRunner } from '../../../src/runners/choose-runner.js';
import { RUNNER_NAMES } from '../../../src/runners/names.js';
import { ParallelTaskRunner } from '../../../src/runners/parallel/parallel-runner.js';
import { SequentialTaskRunner } from '../../../src/runners/sequential.js';
import { SETTINGS } from '../../../src/settings/schema.js';

// A flow run's runner: an override (flag, FLOW_RUNNER, the flow's config
// entry, execute()'s option), then the flow's own option, then its parent's
// kind, then the fallback (the config file's top level), then concurrent.

describe('chooseRunner', () => {
  it('makes a runner of every name the settings accept, and of no other', () => {
    for (const name of RUNNER_NAMES) {
      assert.ok(SETTINGS.runner.schema.safeParse(name).success, name);
      const runner = chooseRunner({ flowName: 'etl', override: { runner: name, source: '--runner' } });
      assert.equal(runner.name.toLowerCase(), `${name}taskrunner`);
    }
    assert.throws(
      () => chooseRunner({ flowName: 'etl', override: { runner: 'dask' as never, source: '--runner' } }),
      /^UsageError: unknown runner "dask" \(from --runner\); expected one of 'sequential', 'concurrent', 'parallel', 'distributed'\.$/,
    );
  });

  it('takes an override first, then the flow\'s own option, then the parent\'s kind, then the fallback, then concurrent', () => {
    const parentRunner = new SequentialTaskRunner();
    const choose = (request: Partial<Parameters<typeof chooseRunner>[0]>): string => chooseRunner({ flowName: 'etl', ...request }).name;
    assert.equal(choose({ override: { runner: 'parallel', source: '--runner' }, flowRunner: 'sequential', parentRunner }), 'ParallelTaskRunner');
    assert.equal(choose({ flowRunner: 'parallel', parentRunner, fallback: { runner: 'sequential', source: '.flowrc' } }), 'ParallelTaskRunner');
    assert.equal(choose({ parentRunner, fallback: { runner: 'parallel', source: '.flowrc' } }), 'SequentialTaskRunner');
    assert.equal(choose({ fallback: { runner: 'sequential', source: '.flowrc' } }), 'SequentialTaskRunner');
    assert.equal(choose({}), 'ConcurrentTaskRunner');
  });

  it('gives a fresh copy of a runner instance, with its options, and the settings\' workers to a named parallel runner', () => {
    const own = new ParallelTaskRunner({ workers: 3 });
    const chosen = chooseRunner({ flowName: 'etl', flowRunner: own, settings: { workers: 7 } });
    assert.ok(chosen instanceof ParallelTaskRunner && chosen !== own);
    assert.equal(chosen.workers, 3);
    const named = chooseRunner({ flowName: 'etl', flowRunner: 'parallel', settings: { workers: 7 } });
    assert.equal((named as ParallelTaskRunner).workers, 7);
  });
});
