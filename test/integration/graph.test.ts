import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrentTaskRunner, Flow, ParallelTaskRunner, Parameter, SequentialTaskRunner, UsageError, type TaskRunner } from '../../src/index.js';
import { setRuntime } from '../../src/engine/runtime.js';
import { createTestRuntime } from '../helpers/memory-reporter.js';
import { add, branchesFlow, double, functionalFlow, imperativeFlow, mappedFlow, triggerFlow } from '../fixtures/graph-flows.js';

// The Prefect 1 API on every runner: graphs built in a builder or wired
// imperatively, triggers, and the flow's state from its terminal tasks.

const RUNNERS: readonly { name: string; create: () => TaskRunner; overlaps: boolean }[] = [
  { name: 'sequential', create: () => new SequentialTaskRunner(), overlaps: false },
  { name: 'concurrent', create: () => new ConcurrentTaskRunner(), overlaps: true },
  { name: 'parallel (2 workers)', create: () => new ParallelTaskRunner({ workers: 2 }), overlaps: true },
];

const runGraph = async (flow: Flow, parameters: Record<string, unknown>, runner: TaskRunner) => {
  const runtime = createTestRuntime();
  const outcome = await flow.execute(flow.validate(parameters), { runner, runtime });
  return { ...outcome, lines: runtime.reporter.messages };
};

for (const runnerCase of RUNNERS) {
  describe(`graph flows: ${runnerCase.name}`, () => {
    it('runs a builder-made graph with its Parameters (and their defaults) to the terminal result', async () => {
      const { state } = await runGraph(functionalFlow, { x: 1 }, runnerCase.create());
      assert.equal(state.type, 'COMPLETED');
      const [terminal] = state.data as number[];
      assert.equal(terminal, 2 + 20);
    });

    it('wires Task classes with setDownstream keys and bind', async () => {
      const { state } = await runGraph(imperativeFlow, { value: 5 }, runnerCase.create());
      assert.deepEqual(state.data, [[10, 15]]);
    });

    it('ends a node whose trigger does not hold TriggerFailed without running it; allFinished and anyFailed run', async () => {
      const { state, lines } = await runGraph(triggerFlow, {}, runnerCase.create());
      assert.ok(
        lines.some((line) => /double-[0-9a-f]{8}-0' - Finished in state TriggerFailed\('Trigger was "all_successful" but some of the upstream tasks failed\.', type=FAILED\)$/.test(line)),
        lines.join('\n'),
      );
      const reports = lines.filter((line) => /report-[0-9a-f]{8}-\d' - Finished in state Completed\(\)$/.test(line));
      assert.equal(reports.length, 2, lines.join('\n'));
      assert.equal(state.type, 'FAILED');
    });

    it('maps a task over a node\'s result, one run per item, with unmapped constants', async () => {
      const { state, lines } = await runGraph(mappedFlow, { n: 4 }, runnerCase.create());
      assert.equal(state.type, 'COMPLETED', lines.join('\n'));
      assert.deepEqual([...(state.data as number[])].sort((a, b) => a - b), [20, 30]);
      assert.equal(lines.filter((line) => /Created task run 'double-[0-9a-f]{8}-\d' for task 'double'/.test(line)).length, 4);
      assert.equal(lines.filter((line) => /Created task run 'scale_by-[0-9a-f]{8}-\d' for task 'scale_by'/.test(line)).length, 4);
    });

    it(runnerCase.overlaps ? 'runs independent branches at the same time' : 'runs independent branches one after the other', async () => {
      const { state } = await runGraph(branchesFlow, {}, runnerCase.create());
      const [left, right] = state.data as { start: number; end: number }[];
      assert.ok(left && right);
      assert.equal(left.start < right.end && right.start < left.end, runnerCase.overlaps);
    });
  });
}

describe('graph errors', () => {
  it('names a required Parameter that was not given', () => {
    assert.throws(() => functionalFlow.validate({}), (error: unknown) => error instanceof UsageError && /parameter 'x' is required/.test(error.message));
  });

  it('names the nodes of a cycle', async () => {
    const cyclic = new Flow('cycle', () => {
      const a = new Parameter('a');
      const one = double(a);
      const two = add([one]);
      one.setUpstream(two);
    });
    const outcome = await cyclic.execute({ a: 1 }, { runtime: createTestRuntime() });
    assert.equal(outcome.state.type, 'FAILED');
    assert.match(outcome.state.message ?? '', /flow 'cycle' has a cycle through 'double', 'add'/);
  });

  it('refuses a node used in two flows', () => {
    const shared = new Parameter('shared');
    new Flow('one', () => {
      double(shared);
    });
    assert.throws(
      () =>
        new Flow('two', () => {
          double(shared);
        }),
      /node 'shared' is already in flow 'one'/,
    );
  });

  it('runs with flow.run({ parameters, runner }) and gives the final State', async () => {
    const previous = setRuntime(createTestRuntime());
    try {
      const state = await functionalFlow.run({ parameters: { x: 2, y: 3 }, runner: 'sequential' });
      assert.equal(state.type, 'COMPLETED');
      assert.deepEqual(state.data, [10]);
    } finally {
      setRuntime(previous);
    }
  });
});
