import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { explainUnhashableArguments, keyTaskInputs } from '../../../src/engine/cache.js';
import { ConcurrentTaskRunner, flow, task, taskInputHash } from '../../../src/index.js';
import { createTestRuntime } from '../../helpers/memory-reporter.js';

class Client {
  readonly host = 'db.local';
}

const fetchWith = task({ name: 'fetch', cacheKeyFn: taskInputHash }, (client: Client | { host: string }, path: string) => `${client.host}${path}`);
const ownKey = task({ name: 'own_key', cacheKeyFn: () => undefined }, (client: Client) => client.host);

const storeDir = mkdtempSync(join(tmpdir(), 'flowrun-cache-test-'));
after(() => rmSync(storeDir, { recursive: true, force: true }));

const runFlow = async (body: () => Promise<unknown>) => {
  const runtime = createTestRuntime();
  await flow({ name: 'caching' }, body).execute({}, { runner: new ConcurrentTaskRunner(), runtime, storeDir });
  return runtime.reporter.messages.filter((line) => line.includes('is not cached'));
};

describe('explainUnhashableArguments', () => {
  it('names the argument, where in it, and what it is', () => {
    assert.equal(explainUnhashableArguments([new Client()]), 'argument 1 is an instance of Client');
    assert.equal(explainUnhashableArguments([1, { hooks: [() => 1] }]), 'argument 2.hooks[0] is a function');
    assert.equal(explainUnhashableArguments(['a', function onDone() {}]), 'argument 2 is a function (onDone)');
    assert.equal(explainUnhashableArguments([new Map()]), 'argument 1 is an instance of Map');
    assert.equal(explainUnhashableArguments([10n]), 'argument 1 is a bigint');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.equal(explainUnhashableArguments([loop]), 'argument 1.self refers back to an object that contains it (a circular reference)');
  });

  it('agrees with taskInputHash on what it can hash', () => {
    const context = { taskKey: 'k', taskName: 'n', taskSource: 's', flowRunName: 'f', parameters: {} };
    for (const args of [[new Client()], [{ a: [1, () => 1] }], [Symbol('s')]]) {
      assert.equal(taskInputHash(context, args), undefined);
    }
    assert.equal(typeof taskInputHash(context, [{ a: [1, 'b', null, new Date(0)] }]), 'string');
  });
});

describe('an argument that taskInputHash cannot hash', () => {
  it('is one WARNING per task per flow run, under the task run, naming the task, the argument and the fix', async () => {
    const warnings = await runFlow(async () => {
      await Promise.all([fetchWith.submit(new Client(), '/a'), fetchWith.submit(new Client(), '/b'), fetchWith.submit({ host: 'plain' }, '/c')]);
    });
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0] ?? '',
      /^Task run 'fetch-[0-9a-f]{8}-[01]' - Task 'fetch' is not cached: argument 1 is an instance of Client, which cannot be hashed; pass plain data or give a cacheKeyFn\.$/,
    );
    // The next flow run's log says it again.
    assert.equal((await runFlow(async () => fetchWith(new Client(), '/a'))).length, 1);
  });

  it("is no warning when a cacheKeyFn of the user's own gives no key, nor when the arguments hash", async () => {
    const warnings = await runFlow(async () => {
      await ownKey.submit(new Client());
      await fetchWith.submit({ host: 'plain' }, '/d');
    });
    assert.deepEqual(warnings, []);
  });
});

describe('a call that gets no cache key', () => {
  const makeClient = task({ name: 'make_client', cacheKeyFn: taskInputHash }, (template: Client) => ({ made: new Client(), from: template }));
  const persisted = task({ name: 'persisted', cacheKeyFn: () => undefined, persistResult: true }, () => ({ kept: true }));

  it('stores nothing unless persistResult asks, so a result JSON cannot hold does not fail it', async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-no-key-'));
    try {
      const runtime = createTestRuntime();
      const { state } = await flow({ name: 'no-key' }, async () => makeClient(new Client())).execute({}, { runner: new ConcurrentTaskRunner(), runtime, storeDir: project });
      assert.equal(state.type, 'COMPLETED', runtime.reporter.messages.join('\n'));
      assert.deepEqual(readdirSync(project), []);
      await flow({ name: 'persisting' }, async () => persisted()).execute({}, { runner: new ConcurrentTaskRunner(), runtime: createTestRuntime(), storeDir: project });
      assert.equal(readdirSync(join(project, 'results')).length, 1);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('the inputs key `flow runs retry` compares', () => {
  it('is the JSON of the arguments, a lone number included (made without JSON.stringify)', () => {
    for (const value of [0, 7, -3, 2.5, -0, 1e21, 123456789012, Number.MAX_SAFE_INTEGER, 5e-324]) {
      assert.equal(keyTaskInputs([value]), JSON.stringify([value]), String(value));
    }
    assert.equal(keyTaskInputs([Number.NaN]), '[null]');
    assert.equal(keyTaskInputs(['a', 1, null, true]), '["a",1,null,true]');
    assert.equal(keyTaskInputs([{ b: 1, a: [2] }]), '[{"a":[2],"b":1}]');
  });

  it('is a hash when long, and undefined when an argument is not plain data', () => {
    assert.match(keyTaskInputs(['x'.repeat(100)]) ?? '', /^sha256:/);
    assert.equal(keyTaskInputs([new Client()]), undefined);
  });
});
