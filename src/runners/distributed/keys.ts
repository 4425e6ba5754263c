// The Redis keys and channels of flowrun's own, beside BullMQ's (which live
// under `bull:<queue>:`): one place, so that the flow run and its workers
// name them alike.

/** The stream a flow run's task runs' lines (logs and prints) travel on, one per runner. */
export const linesStreamKey = (queue: string, runnerId: string): string => `flowrun:${queue}:lines:${runnerId}`;

/** The keys of a job's runs whose results were sent already: a worker that takes the job after another was lost runs only the others. */
export const sentResultsKey = (queue: string, jobId: string): string => `flowrun:${queue}:sent:${jobId}`;

/** The channel on which a flow run asks the workers to stop task runs (a timeout, a signal). */
export const cancelChannel = (queue: string): string => `flowrun:${queue}:cancel`;

/** The hash of the live workers of a queue, each under its id, for `flow workers`. */
export const workersKey = (queue: string): string => `flowrun:${queue}:workers`;

/** The holders of a tag's concurrency slots (a sorted set of holder ids by lease expiry), shared by every flow run on the queue. */
export const tagLimitKey = (queue: string, tag: string): string => `flowrun:${queue}:limit:${tag}`;
