import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flow } from '../../../src/graph/flow-graph.js';
import { Parameter } from '../../../src/graph/parameter.js';
import { renderGraph } from '../../../src/graph/render.js';
import { orderNodes } from '../../../src/graph/schedule.js';
import { allFailed, allFinished, allSuccessful, anyFailed, anySuccessful } from '../../../src/graph/triggers.js';
import { Completed, Failed } from '../../../src/states/state.js';
import { task } from '../../../src/tasks/task.js';

const inc = task('inc', (x: number) => x + 1);
const join = task('join', (values: number[], separator: string) => values.join(separator));

describe('building a graph', () => {
  it('adds a node per call in the builder, with edges from the nodes in its arguments', () => {
    const flow = new Flow('built', () => {
      const start = new Parameter('start', { default: 1 });
      const a = inc(start);
      const b = inc(a);
      join([a, b], '-');
    });
    assert.deepEqual(
      orderNodes(flow).map((node) => node.name),
      ['start', 'inc', 'inc', 'join'],
    );
    assert.equal(flow.edges.length, 4);
    assert.equal(flow.parameters[0]?.required, false);
    assert.equal(
      renderGraph(flow, 'text'),
      [
        "Flow 'built': 4 nodes, 4 edges",
        '  [1] start (Parameter, default 1)',
        '  [2] inc (task) <- [1] start as x',
        '  [3] inc (task) <- [2] inc as x',
        '  [4] join (task) <- [2] inc as values, [3] inc as values',
      ].join('\n'),
    );
  });

  it('knows a Parameter without a default is required, unless told otherwise', () => {
    assert.equal(new Parameter('a').required, true);
    assert.equal(new Parameter('b', { default: 0 }).required, false);
    assert.equal(new Parameter('c', { required: false }).required, false);
  });

  it('refuses a trigger on a Parameter', () => {
    assert.throws(() => new Parameter('p').setTrigger(allFinished), /'p' is not a task and has no trigger/);
  });
});

describe('triggers', () => {
  const ok = Completed();
  const bad = Failed();
  it('hold as Prefect 1 says', () => {
    assert.deepEqual(
      [allSuccessful, allFinished, anyFailed, anySuccessful, allFailed].map((trigger) => [trigger.holds([ok, ok]), trigger.holds([ok, bad]), trigger.holds([bad, bad])]),
      [
        [true, false, false],
        [true, true, true],
        [false, true, true],
        [true, true, false],
        [false, false, true],
      ],
    );
    assert.equal(allSuccessful.failure, 'Trigger was "all_successful" but some of the upstream tasks failed.');
  });
});
