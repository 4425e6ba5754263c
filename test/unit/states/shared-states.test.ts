import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingAt, runningAt } from '../../../src/states/shared-states.js';

describe('pendingAt and runningAt', () => {
  it('give a Pending or Running state of that millisecond, one for all runs that enter it then', () => {
    const first = runningAt(1_000);
    assert.deepEqual({ type: first.type, name: first.name, timestamp: first.timestamp }, { type: 'RUNNING', name: 'Running', timestamp: 1_000 });
    assert.equal(runningAt(1_000), first);
    const next = runningAt(1_001);
    assert.notEqual(next, first);
    assert.equal(next.timestamp, 1_001);
    const pending = pendingAt(1_001);
    assert.deepEqual({ type: pending.type, name: pending.name, timestamp: pending.timestamp }, { type: 'PENDING', name: 'Pending', timestamp: 1_001 });
    assert.notEqual(pending, next);
  });
});
