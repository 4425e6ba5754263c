import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupIntoJobs, MAX_RUNS_A_JOB, runsPerJob, type RunToSend } from '../../../../src/runners/distributed/job-batches.js';
import type { TaskRunJobData } from '../../../../src/runners/distributed/job-protocol.js';

// How the distributed runner packs task runs into BullMQ jobs: one to a job
// when few wait (each may have a worker of its own), many when thousands do.

const runOf = (key: string, options: { task?: string; flowRun?: string; batchable?: boolean } = {}): RunToSend => {
  const data: TaskRunJobData = {
    modulePath: 'flows/map.ts',
    moduleHash: 'abc',
    registryKey: `flows/map.ts#${options.task ?? 'add'}`,
    taskName: options.task ?? 'add',
    runs: [{ key, args: '', taskRun: { id: key, name: key, taskName: options.task ?? 'add', taskKey: 'k', flowRunId: 'f', tags: [], upstreamIds: [] } }],
    flowRunName: options.flowRun ?? 'calm-otter',
    logPrints: false,
    logLevel: 20,
    linesKey: 'lines',
  };
  return { key, data, runName: key, batchable: options.batchable ?? true };
};

const shape = (runs: readonly RunToSend[], perJob: number): { id: string; keys: string[] }[] =>
  groupIntoJobs(runs, perJob).map((job) => ({ id: job.opts.jobId, keys: job.data.runs.map(({ key }) => key) }));

describe('runsPerJob', () => {
  it('sends a few waiting runs one to a job, and thousands up to MAX_RUNS_A_JOB to a job', () => {
    assert.equal(runsPerJob(0), 1);
    assert.equal(runsPerJob(8), 1);
    assert.equal(runsPerJob(127), 1);
    assert.equal(runsPerJob(640), 10);
    assert.equal(runsPerJob(10_000), MAX_RUNS_A_JOB);
  });
});

describe('groupIntoJobs', () => {
  it('puts consecutive runs of one task together, perJob at most, each job named after its first run and its size', () => {
    const runs = ['a-1', 'b-1', 'c-1', 'd-1', 'e-1'].map((key) => runOf(key));
    assert.deepEqual(shape(runs, 2), [
      { id: 'a-1-and-1', keys: ['a-1', 'b-1'] },
      { id: 'c-1-and-1', keys: ['c-1', 'd-1'] },
      { id: 'e-1', keys: ['e-1'] },
    ]);
  });

  it('gives a run alone in its job its own key as the job id, as with perJob 1', () => {
    assert.deepEqual(shape([runOf('a-1'), runOf('b-2')], 1), [
      { id: 'a-1', keys: ['a-1'] },
      { id: 'b-2', keys: ['b-2'] },
    ]);
  });

  it('sends a run that is not batchable (it has a deadline of its own) alone, and keeps tasks and flow runs apart', () => {
    const runs = [runOf('a-1'), runOf('b-1'), runOf('t-1', { batchable: false }), runOf('c-1'), runOf('x-1', { task: 'other' }), runOf('y-1', { flowRun: 'bold-lynx' }), runOf('d-1')];
    assert.deepEqual(shape(runs, 8), [
      { id: 'a-1-and-1', keys: ['a-1', 'b-1'] },
      { id: 't-1', keys: ['t-1'] },
      { id: 'c-1', keys: ['c-1'] },
      { id: 'x-1', keys: ['x-1'] },
      { id: 'y-1', keys: ['y-1'] },
      { id: 'd-1', keys: ['d-1'] },
    ]);
  });
});
