import type { TaskRunJobData } from './job-protocol.js';

// How the distributed runner packs task runs into BullMQ jobs. A job costs
// far more than a trivial task run (Redis's scripts, BullMQ's bookkeeping
// and events, a round trip each way): sent one to a job, a .map() of 10,000
// additions spends nearly all its time on the queue. So when many runs wait
// to be sent, runs of one task of one flow run share a job, which their
// worker runs one after another, sending each result as it comes. When
// few wait, each run has a job of its own, and so a worker of its own if
// one is free: eight half-second tasks spread over eight workers, not one.

/** Task runs a job carries, at most. */
export const MAX_RUNS_A_JOB = 32;

/** With this many runs waiting to be sent for each run of a job, a job carries one more. */
export const WAITING_PER_BATCHED_RUN = 64;

/** Jobs are kept this long after they end, for the state check; then BullMQ removes them. */
const KEEP_ENDED_JOBS_SECONDS = 3_600;

/** A task run waiting to be added to the queue. */
export interface RunToSend {
  readonly key: string;
  /** Its job's data, were it alone in it. */
  readonly data: TaskRunJobData;
  readonly runName: string;
  /** It may share a job: nothing withdraws it alone (a withdrawn job stops all its runs). */
  readonly batchable: boolean;
}

/** A job as Queue.addBulk takes it. */
export interface BulkJob {
  readonly name: string;
  readonly data: TaskRunJobData;
  readonly opts: { readonly jobId: string; readonly attempts: number; readonly removeOnComplete: { readonly age: number }; readonly removeOnFail: { readonly age: number } };
}

/** How many runs a job carries when `waiting` runs wait to be sent. */
export const runsPerJob = (waiting: number): number => Math.max(1, Math.min(MAX_RUNS_A_JOB, Math.floor(waiting / WAITING_PER_BATCHED_RUN)));

const sameJob = (a: TaskRunJobData, b: TaskRunJobData): boolean =>
  a.modulePath === b.modulePath &&
  a.moduleHash === b.moduleHash &&
  a.registryKey === b.registryKey &&
  a.flowRunName === b.flowRunName &&
  a.linesKey === b.linesKey &&
  a.logPrints === b.logPrints &&
  a.logLevel === b.logLevel;

const toJob = (data: TaskRunJobData): BulkJob => {
  const [first] = data.runs;
  const extra = data.runs.length - 1;
  return {
    name: data.taskName,
    data,
    // Made of its runs' keys: a job added twice (a retried request) is one job.
    opts: {
      jobId: extra === 0 ? (first?.key ?? '') : `${first?.key ?? ''}-and-${extra}`,
      attempts: 1,
      removeOnComplete: { age: KEEP_ENDED_JOBS_SECONDS },
      removeOnFail: { age: KEEP_ENDED_JOBS_SECONDS },
    },
  };
};

/** The jobs that carry `runs`, in their order: consecutive batchable runs of one task and flow run, `perJob` at most to a job. */
export const groupIntoJobs = (runs: readonly RunToSend[], perJob: number): BulkJob[] => {
  const jobs: BulkJob[] = [];
  let open: { data: TaskRunJobData; runs: TaskRunJobData['runs'][number][] } | undefined;
  const close = (): void => {
    if (open !== undefined) {
      jobs.push(toJob({ ...open.data, runs: open.runs }));
      open = undefined;
    }
  };
  for (const run of runs) {
    if (open !== undefined && run.batchable && open.runs.length < perJob && sameJob(open.data, run.data)) {
      open.runs.push(...run.data.runs);
      continue;
    }
    close();
    if (run.batchable && perJob > 1) {
      open = { data: run.data, runs: [...run.data.runs] };
    } else {
      jobs.push(toJob(run.data));
    }
  }
  close();
  return jobs;
};
