import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DispatchGate } from '../../../src/runners/parallel/dispatch-gate.js';

describe('DispatchGate', () => {
  it('lets `limit` runs in at once and the others in as places free, in the order they came', async () => {
    const gate = new DispatchGate(2);
    const started: number[] = [];
    const enter = (id: number): Promise<void> => {
      const waiting = gate.enter();
      return (waiting ?? Promise.resolve()).then(() => {
        started.push(id);
      });
    };
    const entries = [1, 2, 3, 4, 5].map(enter);
    await Promise.all(entries.slice(0, 2));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [1, 2]);
    gate.leave();
    await entries[2];
    assert.deepEqual(started, [1, 2, 3]);
    gate.leave();
    gate.leave();
    await Promise.all(entries);
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
    // Runs 4 and 5 hold the two places; once both give them back, the next
    // two enter at once and the third waits.
    gate.leave();
    gate.leave();
    assert.equal(gate.enter(), undefined);
    assert.equal(gate.enter(), undefined);
    assert.ok(gate.enter() instanceof Promise);
  });
});
