import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatState } from '../../../src/states/format.js';
import {
  AwaitingRetry,
  Cached,
  Cancelled,
  Completed,
  Crashed,
  Failed,
  NotReady,
  Pending,
  Retrying,
  Running,
  TimedOut,
} from '../../../src/states/state.js';

describe('formatState: the State strings of LOGS.md', () => {
  it('Completed()', () => {
    assert.equal(formatState(Completed()), 'Completed()');
  });

  it("Completed('All states completed.')", () => {
    assert.equal(formatState(Completed({ message: 'All states completed.' })), "Completed('All states completed.')");
  });

  it('Cached(type=COMPLETED)', () => {
    assert.equal(formatState(Cached()), 'Cached(type=COMPLETED)');
  });

  it("Failed('1/3 states failed.')", () => {
    assert.equal(formatState(Failed({ message: '1/3 states failed.' })), "Failed('1/3 states failed.')");
  });

  it("TimedOut('…', type=FAILED)", () => {
    assert.equal(
      formatState(TimedOut({ message: 'Task run exceeded timeout of 1 second(s)' })),
      "TimedOut('Task run exceeded timeout of 1 second(s)', type=FAILED)",
    );
  });

  it('NotReady("…", type=PENDING), in double quotes because the message has single quotes', () => {
    assert.equal(
      formatState(NotReady({ message: "Upstream task run 'x' did not reach a 'COMPLETED' state." })),
      `NotReady("Upstream task run 'x' did not reach a 'COMPLETED' state.", type=PENDING)`,
    );
  });

  it("Crashed('…')", () => {
    assert.equal(
      formatState(Crashed({ message: 'Worker exited unexpectedly with code 1' })),
      "Crashed('Worker exited unexpectedly with code 1')",
    );
  });

  it("Cancelled('…')", () => {
    assert.equal(
      formatState(Cancelled({ message: 'Execution was aborted by a termination signal.' })),
      "Cancelled('Execution was aborted by a termination signal.')",
    );
  });

  it('Pending(), Running(), AwaitingRetry(type=SCHEDULED), Retrying(type=RUNNING)', () => {
    assert.equal(formatState(Pending()), 'Pending()');
    assert.equal(formatState(Running()), 'Running()');
    assert.equal(formatState(AwaitingRetry()), 'AwaitingRetry(type=SCHEDULED)');
    assert.equal(formatState(Retrying()), 'Retrying(type=RUNNING)');
  });

  it('puts the message first and type= second', () => {
    assert.equal(formatState(Cached({ message: 'hit' })), "Cached('hit', type=COMPLETED)");
  });

  it('treats an empty message as none', () => {
    assert.equal(formatState(Failed({ message: '' })), 'Failed()');
  });

  it('escapes a multi-line message on one line', () => {
    assert.equal(formatState(Failed({ message: 'line 1\nline 2' })), "Failed('line 1\\nline 2')");
  });
});
