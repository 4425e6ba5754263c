import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChildRun } from '../../../src/engine/context.js';
import { returnValueToState } from '../../../src/engine/final-state.js';
import { formatState } from '../../../src/states/format.js';
import { Cached, Cancelled, Completed, Crashed, Failed, type State } from '../../../src/states/state.js';

const child = (state: State): ChildRun => ({ wait: () => Promise.resolve(state) });

describe('returnValueToState', () => {
  describe('a flow that returned nothing: its task and subflow runs decide', () => {
    it('all completed', async () => {
      const state = await returnValueToState(undefined, [child(Completed()), child(Cached())]);
      assert.equal(formatState(state), "Completed('All states completed.')");
    });

    it('one of three failed', async () => {
      const state = await returnValueToState(undefined, [child(Completed()), child(Failed()), child(Completed())]);
      assert.equal(state.type, 'FAILED');
      assert.equal(formatState(state), "Failed('1/3 states failed.')");
    });

    it('a cancelled child wins over a failed one', async () => {
      const state = await returnValueToState(undefined, [child(Failed()), child(Cancelled()), child(Completed())]);
      assert.equal(formatState(state), "Cancelled('1/3 states cancelled.')");
    });

    it('no children at all: Completed()', async () => {
      const state = await returnValueToState(undefined, []);
      assert.equal(formatState(state), 'Completed()');
    });
  });

  describe('a flow that returned states: those decide, not the children', () => {
    it('a state alone is the final state as it is', async () => {
      const state = await returnValueToState(Failed({ message: 'bad' }), [child(Completed())]);
      assert.equal(formatState(state), "Failed('bad')");
      assert.equal(state.type, 'FAILED');
    });

    it('an array of states', async () => {
      const state = await returnValueToState([Completed(), Crashed()], [child(Completed()), child(Completed())]);
      assert.equal(formatState(state), "Failed('1/2 states failed.')");
    });

    it('an array of completed states, though a child failed', async () => {
      const state = await returnValueToState([Completed(), Completed()], [child(Failed())]);
      assert.equal(formatState(state), "Completed('All states completed.')");
    });

    it('a plain object of states', async () => {
      const state = await returnValueToState({ a: Completed(), b: Cancelled() }, [child(Failed())]);
      assert.equal(formatState(state), "Cancelled('1/2 states cancelled.')");
    });

    it('a plain object of completed states, though a child failed', async () => {
      const state = await returnValueToState({ a: Completed(), b: Cached() }, [child(Failed())]);
      assert.equal(formatState(state), "Completed('All states completed.')");
    });
  });

  describe('a flow that returned another value: Completed() with that value', () => {
    for (const [label, value] of [
      ['a number', 42],
      ['zero', 0],
      ['a string', 'done'],
      ['an object without states', { total: 3, ok: true }],
      ['an array without states', [1, 2, 3]],
    ] as const) {
      it(label, async () => {
        const state = await returnValueToState(value, [child(Failed())]);
        assert.equal(state.type, 'COMPLETED');
        assert.equal(formatState(state), 'Completed()');
        assert.deepEqual(state.data, value);
      });
    }
  });
});
