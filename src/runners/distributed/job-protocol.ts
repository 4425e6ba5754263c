import { deserialize, serialize } from 'node:v8';
import type { TaskRunInfo } from '../../engine/runs.js';
import type { WorkerReply } from '../parallel/protocol.js';

// Everything that crosses between a flow run and a `flow worker`, in one
// place. Task runs travel as BullMQ jobs: a job's data names the task by its
// module (a path relative to the project root, the same on every checkout,
// and the hash of its content) and its registry key, and carries one run of
// it or, when a flow run sends many at once (a large .map()), a batch of
// runs that its worker runs one after another: a job costs Redis, BullMQ
// and both ends far more than a trivial task run does. Arguments and
// results cross as V8's serialization of them (base64 in the job's JSON), so
// that what crosses follows the parallel runner's rules (Dates, Maps, typed
// arrays) rather than JSON's. Lines a task logs or prints travel on a stream
// of their own (keys.ts), and each result says how many its run sent, so
// the flow run hands on a result only once it has shown them all. A batch's
// results come back on that stream as its runs end (a few at a time), and
// what is left with the job's own result.

/** One task run of a job: its key is the run's id and attempt, which its lines and result carry. */
export interface JobRun {
  readonly key: string;
  /** The arguments, serialized (encodeValue). */
  readonly args: string;
  readonly taskRun: TaskRunInfo;
}

/** A job: one task run, or a batch of runs of one task of one flow run. */
export interface TaskRunJobData {
  /** The task's module, relative to the project root, with '/' separators. */
  readonly modulePath: string;
  /** The SHA-256 of the module's content where the flow runs: a worker whose copy differs does not run it. */
  readonly moduleHash: string;
  /** The task's key in the registry of a process that imported its module. */
  readonly registryKey: string;
  readonly taskName: string;
  readonly runs: readonly JobRun[];
  readonly flowRunName: string;
  readonly logPrints: boolean;
  /** The flow run's log level: lines below it are not even sent. */
  readonly logLevel: number;
  /** Where the worker sends the lines of the run (keys.ts linesStreamKey). */
  readonly linesKey: string;
}

/** What a job's processor returns: the replies of its runs not sent on the lines stream already, each `[key, encodeValue(reply)]`. */
export interface TaskRunJobResult {
  readonly replies: readonly (readonly [string, string])[];
}

/** How a task run ended on its worker: the parallel runner's replies, and a crash the worker saw itself. */
export type DistributedReply =
  | WorkerReply
  /** The worker could not run it: its module is missing or differs, the thread running it died. */
  | { readonly type: 'crashed'; readonly reason: string; readonly events: number };

/** A line a task run sent, as a stream entry's fields. */
export interface LineEntry {
  /** The run's key (JobRun). */
  readonly job: string;
  /** 'log': a log line at `level`; 'stdout' or 'stderr': a write; 'result': the run's reply (encodeValue), after all its lines. */
  readonly kind: 'log' | 'stdout' | 'stderr' | 'result';
  readonly level: number;
  readonly time: number;
  /** The text, or, for bytes that are not text, their base64 (`bytes` set). */
  readonly text: string;
  readonly bytes: boolean;
}

export const encodeValue = (value: unknown): string => serialize(value).toString('base64');

export const decodeValue = (text: string): unknown => deserialize(Buffer.from(text, 'base64'));

/** A stream entry's flat field list. */
export const lineEntryFields = (entry: LineEntry): string[] => [
  'job',
  entry.job,
  'kind',
  entry.kind,
  'level',
  String(entry.level),
  'time',
  String(entry.time),
  'text',
  entry.text,
  'bytes',
  entry.bytes ? '1' : '0',
];

export const parseLineEntry = (fields: readonly string[]): LineEntry | undefined => {
  const values = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) {
    values.set(fields[index] ?? '', fields[index + 1] ?? '');
  }
  const job = values.get('job');
  const kind = values.get('kind');
  if (job === undefined || (kind !== 'log' && kind !== 'stdout' && kind !== 'stderr' && kind !== 'result')) {
    return undefined;
  }
  return {
    job,
    kind,
    level: Number(values.get('level') ?? 0),
    time: Number(values.get('time') ?? 0),
    text: values.get('text') ?? '',
    bytes: values.get('bytes') === '1',
  };
};
