import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveTaskRuns } from '../../../src/engine/live-task-runs.js';
import type { TaskRun } from '../../../src/engine/runs.js';
import { Cancelled, Completed, NotReady, Pending, Running } from '../../../src/states/state.js';

const makeRun = (index: number): TaskRun => ({
  id: `id-${index}`,
  name: `run-${index}`,
  dynamicKey: index,
  taskName: 'task',
  taskKey: 'key',
  flowRunId: 'flow',
  tags: [],
  upstreamIds: [],
  state: Pending(),
});

describe('LiveTaskRuns', () => {
  it('lists, oldest first, the runs whose state is not a last one, across the prunes of thousands of runs', () => {
    const live = new LiveTaskRuns();
    const runs = Array.from({ length: 5_000 }, (_, index) => makeRun(index));
    for (const [index, run] of runs.entries()) {
      live.add(run);
      // Every run but each tenth ends soon after it starts, as most do.
      if (index % 10 !== 0) {
        run.state = Completed();
      }
    }
    runs[20]!.state = NotReady();
    runs[30]!.state = Cancelled();
    runs[40]!.state = Running();
    // A run still Running (run-40) is live; NotReady and Cancelled ones are not.
    const expected = runs.filter((_, index) => index % 10 === 0 && index !== 20 && index !== 30).map((run) => run.name);
    assert.deepEqual(
      live.list().map((run) => run.name),
      expected,
    );
    assert.equal(live.list().length, 498);
  });
});
