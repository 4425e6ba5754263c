import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { Flow } from '../../../src/graph/flow-graph.js';
import type { GraphNode } from '../../../src/graph/node.js';
import { Parameter } from '../../../src/graph/parameter.js';
import { allFinished, anyFailed } from '../../../src/graph/triggers.js';
import { SequentialTaskRunner } from '../../../src/runners/sequential.js';
import { formatState } from '../../../src/states/format.js';
import { task } from '../../../src/tasks/task.js';
import { createTestRuntime } from '../../helpers/memory-reporter.js';

// Prefect 1's reference tasks: the nodes whose runs decide a flow run's
// final state, the terminal ones unless flow.setReferenceTasks chose others.

const check = task('check', (healthy: boolean) => {
  if (!healthy) {
    throw new Error('service is down');
  }
  return 'ok';
});
const alert = task('alert', (_status: string | Error) => 'alerted');
const range = task('range', (n: number) => Array.from({ length: n }, (_, index) => index + 1));
const half = task('half', (x: number) => {
  if (x % 2 === 1 && x > 2) {
    throw new Error(`${x} is odd`);
  }
  return x / 2;
});
const summary = task('summary', (_values: (number | Error)[]) => 'summed');

const finalState = async (flow: Flow, parameters: Record<string, unknown>): Promise<string> => {
  const outcome = await flow.execute(flow.validate(parameters), { runner: new SequentialTaskRunner(), runtime: createTestRuntime() });
  return formatState(outcome.state);
};

// `alert` runs only when `check` failed; with `watch`, check decides.
const alertingFlow = (name: string, watch: boolean): Flow =>
  new Flow(name, (flow) => {
    const status = check(new Parameter('healthy', { default: true }));
    alert(status).setTrigger(anyFailed);
    if (watch) {
      flow.setReferenceTasks([status]);
    }
  });

describe('the final state of a flow run with reference tasks', () => {
  it('follows the reference task, not the terminal alert that ends TriggerFailed when all is healthy', async () => {
    const watched = alertingFlow('alerting', true);
    assert.equal(await finalState(watched, {}), "Completed('All states completed.')");
    assert.equal(await finalState(watched, { healthy: false }), "Failed('1/1 states failed.')");
    // Without reference tasks the terminal alert decides, the other way round.
    const unwatched = alertingFlow('alerting-default', false);
    assert.equal(await finalState(unwatched, {}), "Failed('1/1 states failed.')");
    assert.equal(await finalState(unwatched, { healthy: false }), "Completed('All states completed.')");
  });

  it('counts every run of a mapped reference task', async () => {
    const mapped = (n: number) =>
      new Flow(`mapped-reference-${n}`, (flow) => {
        const halves = half.map(range(new Parameter<number>('n', { default: n })));
        // The terminal task always completes: only the mapped runs can fail the flow.
        summary(halves).setTrigger(allFinished);
        flow.setReferenceTasks([halves]);
      });
    const outcome = await mapped(2).execute({}, { runner: new SequentialTaskRunner(), runtime: createTestRuntime() });
    assert.equal(formatState(outcome.state), "Completed('All states completed.')");
    assert.deepEqual(outcome.state.data, [0.5, 1]);
    assert.equal(await finalState(mapped(5), {}), "Failed('2/5 states failed.')");
  });
});

describe('choosing reference tasks', () => {
  it('gives the terminal tasks by default, the chosen ones once set, and the terminal ones again after an empty list', () => {
    let status: GraphNode | undefined;
    const flow = new Flow('chosen', () => {
      const checked = check(new Parameter<boolean>('healthy'));
      alert(checked).setTrigger(anyFailed);
      status = checked;
    });
    assert.deepEqual(flow.terminalTasks().map((node) => node.name), ['alert']);
    assert.deepEqual(flow.referenceTasks().map((node) => node.name), ['alert']);
    flow.setReferenceTasks(new Set([status as GraphNode]));
    assert.deepEqual(flow.referenceTasks().map((node) => node.name), ['check']);
    flow.setReferenceTasks([]);
    assert.deepEqual(flow.referenceTasks().map((node) => node.name), ['alert']);
  });

  it('refuses a node of another flow, or of none, naming it at the call', () => {
    let elsewhere: GraphNode | undefined;
    new Flow('other', () => {
      elsewhere = check(new Parameter<boolean>('healthy'));
    });
    const flow = new Flow('watched', () => {
      check(new Parameter<boolean>('healthy'));
    });
    assert.throws(
      () => flow.setReferenceTasks([elsewhere as GraphNode]),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message === "flow 'watched': reference task 'check' is not a node of this flow (it is in flow 'other'); add it first (call it in the builder, bind() or wire it), then setReferenceTasks().",
    );
    assert.throws(() => flow.setReferenceTasks([new Parameter('loose')]), /reference task 'loose' is not a node of this flow \(it is in no flow\)/);
  });

  it('refuses a single node or a task given in place of a list of nodes', () => {
    const flow = new Flow('slips', () => {
      check(new Parameter<boolean>('healthy'));
    });
    assert.throws(() => flow.setReferenceTasks(flow.nodes.find((node) => node.name === 'check') as never), /^UsageError: flow 'slips': setReferenceTasks\(\) takes a list of nodes \(setReferenceTasks\(\[check\]\)\), got the node 'check'\.$/);
    assert.throws(() => flow.setReferenceTasks([check as never]), /takes nodes of the flow, got function .*\(a task is not a node: give what calling it in the builder returned\)\.$/);
  });
});
