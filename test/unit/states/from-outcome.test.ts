import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatState } from '../../../src/states/format.js';
import {
  aggregateStates,
  errorToCrashedState,
  flowErrorToFailedState,
  formatException,
  formatExceptionWithStack,
  signalToCancelledState,
  taskErrorToFailedState,
} from '../../../src/states/from-outcome.js';
import { Cached, Cancelled, Completed, Crashed, Failed, Pending, Running, TimedOut } from '../../../src/states/state.js';

describe('formatException', () => {
  it('renders an Error as Name: message', () => {
    assert.equal(formatException(new Error('disk on fire')), 'Error: disk on fire');
    assert.equal(formatException(new TypeError('not a function')), 'TypeError: not a function');
  });

  it('renders a thrown string as an Error', () => {
    assert.equal(formatException('boom'), 'Error: boom');
  });

  it('renders other thrown values readably', () => {
    assert.equal(formatException({ code: 7 }), 'Thrown value: {"code":7}');
    assert.equal(formatException(undefined), 'Thrown value: undefined');
  });
});

describe('formatExceptionWithStack', () => {
  it("keeps the user's stack as it is", () => {
    const error = new Error('disk on fire');
    error.stack = 'Error: disk on fire\n    at explode (file:///home/me/proj/flows/etl.ts:3:9)\n    at main (file:///home/me/proj/flows/etl.ts:9:3)';
    assert.equal(formatExceptionWithStack(error), error.stack);
  });

  it("drops flowrun's own frames under the user's", () => {
    const engine = fileURLToPath(new URL('../../../src/engine/task-engine.ts', import.meta.url));
    const error = new Error('disk on fire');
    error.stack = [
      'Error: disk on fire',
      '    at explode (file:///home/me/proj/flows/etl.ts:3:9)',
      `    at runTask (${engine}:120:7)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    assert.equal(formatExceptionWithStack(error), 'Error: disk on fire\n    at explode (file:///home/me/proj/flows/etl.ts:3:9)');
  });

  it('falls back to the one-line form without a stack', () => {
    assert.equal(formatExceptionWithStack('boom'), 'Error: boom');
  });
});

describe('states from errors and signals', () => {
  it('a task that threw is Failed with Prefect\'s task message', () => {
    const error = new Error('disk on fire');
    const state = taskErrorToFailedState(error);
    assert.equal(state.type, 'FAILED');
    assert.equal(state.message, 'Task run encountered an exception Error: disk on fire');
    assert.equal(state.error, error);
    assert.equal(formatState(state), "Failed('Task run encountered an exception Error: disk on fire')");
  });

  it('a flow that threw is Failed with Prefect\'s flow message', () => {
    const state = flowErrorToFailedState(new Error('boom'));
    assert.equal(state.type, 'FAILED');
    assert.equal(formatState(state), "Failed('Flow run encountered an exception: Error: boom')");
  });

  it('a machinery failure is Crashed', () => {
    const state = errorToCrashedState(new Error('worker exited'));
    assert.equal(state.type, 'CRASHED');
    assert.equal(state.name, 'Crashed');
  });

  it('SIGINT cancels with the interrupt message', () => {
    const state = signalToCancelledState('SIGINT');
    assert.equal(state.type, 'CANCELLED');
    assert.equal(formatState(state), "Cancelled('Execution was aborted by an interrupt signal.')");
  });

  it('SIGTERM cancels with the termination message', () => {
    const state = signalToCancelledState('SIGTERM');
    assert.equal(state.type, 'CANCELLED');
    assert.equal(formatState(state), "Cancelled('Execution was aborted by a termination signal.')");
  });
});

describe('aggregateStates: the final-state rule', () => {
  it('gives a plain Completed() for no states', () => {
    const state = aggregateStates([]);
    assert.equal(state.type, 'COMPLETED');
    assert.equal(state.message, undefined);
    assert.equal(formatState(state), 'Completed()');
  });

  it("gives Completed('All states completed.') when all completed", () => {
    assert.equal(formatState(aggregateStates([Completed(), Completed(), Completed()])), "Completed('All states completed.')");
  });

  it('counts Cached as completed', () => {
    assert.equal(formatState(aggregateStates([Completed(), Cached()])), "Completed('All states completed.')");
  });

  it('counts the failed states', () => {
    assert.equal(formatState(aggregateStates([Completed(), Failed(), Completed()])), "Failed('1/3 states failed.')");
  });

  it('counts Failed, TimedOut and Crashed alike as failed', () => {
    assert.equal(formatState(aggregateStates([Completed(), Failed(), Crashed(), Completed()])), "Failed('2/4 states failed.')");
    assert.equal(formatState(aggregateStates([TimedOut(), Completed()])), "Failed('1/2 states failed.')");
  });

  it('lets any cancelled state win over failed ones', () => {
    assert.equal(formatState(aggregateStates([Failed(), Cancelled(), Completed()])), "Cancelled('1/3 states cancelled.')");
    assert.equal(formatState(aggregateStates([Crashed(), Cancelled(), Cancelled(), Failed()])), "Cancelled('2/4 states cancelled.')");
  });

  it('never calls states that are not final completed', () => {
    const state = aggregateStates([Completed(), Running(), Pending()]);
    assert.equal(state.type, 'FAILED');
  });
});
