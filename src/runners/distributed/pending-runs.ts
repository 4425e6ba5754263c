import type { InvocationOutcome, TaskInvocation } from '../../engine/invocation.js';
import { logMessage, taskRunSource } from '../../engine/run-log.js';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import { hasRunEnded } from '../../states/state.js';
import { deserializeError } from '../parallel/deserialize.js';
import { decodeValue, type DistributedReply, type LineEntry, type TaskRunJobResult } from './job-protocol.js';

// The task runs a distributed runner has sent and not yet handed an
// outcome, by key (a run's id and attempt), with the jobs that carry them:
// what comes back (results, on the lines stream or with a job; a job's
// failure or stall; lines) is matched here, and a run is handed its outcome
// only once every line its worker said it sent has been shown.

/** How long a result waits for lines its worker said it sent and that have not arrived; and a finished job's run for its result. */
const LINES_GRACE_MS = 10_000;

/** A task run sent to the queue, until its outcome is handed back. */
export interface PendingRun {
  readonly invocation: TaskInvocation;
  readonly key: string;
  /** The job that carries it, once it is made (the run's key, or a batch's). */
  jobId: string | undefined;
  readonly settle: (outcome: InvocationOutcome) => void;
  /** Lines of the run that have arrived. */
  lines: number;
  /** The reply, once it came, while lines it counts are still on their way. */
  reply: DistributedReply | undefined;
  linesTimer: NodeJS.Timeout | undefined;
  /** A worker has taken it (BullMQ's 'active'). */
  taken: boolean;
  /** When it was sent. */
  readonly sentAt: number;
}

const isDistributedReply = (value: unknown): value is DistributedReply =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/** A reply as it crossed (encodeValue), or undefined when it is not one this flowrun reads. */
const decodeReply = (text: string): DistributedReply | undefined => {
  try {
    const decoded = decodeValue(text);
    return isDistributedReply(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
};

/** A job's result as BullMQ hands it (parsed already, or its JSON): its runs' replies by key, or undefined when it is not one this flowrun reads. */
export const decodeJobResult = (returnvalue: unknown): Map<string, DistributedReply | undefined> | undefined => {
  let result = returnvalue;
  if (typeof result === 'string') {
    try {
      result = JSON.parse(result) as unknown;
    } catch {
      return undefined;
    }
  }
  const replies: unknown = (result as Partial<TaskRunJobResult> | null)?.replies;
  if (!Array.isArray(replies)) {
    return undefined;
  }
  const decoded = new Map<string, DistributedReply | undefined>();
  for (const entry of replies as unknown[]) {
    if (Array.isArray(entry) && typeof entry[0] === 'string') {
      decoded.set(entry[0], typeof entry[1] === 'string' ? decodeReply(entry[1]) : undefined);
    }
  }
  return decoded;
};

export class PendingRuns {
  readonly #runs = new Map<string, PendingRun>();
  /** The keys of each job's runs still pending. */
  readonly #jobs = new Map<string, Set<string>>();

  /** Registers a run as sent (before its job is added: its result may come at once); resolves to its outcome. */
  add(key: string, invocation: TaskInvocation): Promise<InvocationOutcome> {
    return new Promise<InvocationOutcome>((resolve) => {
      this.#runs.set(key, { invocation, key, jobId: undefined, settle: resolve, lines: 0, reply: undefined, linesTimer: undefined, taken: false, sentAt: Date.now() });
    });
  }

  /** The runs `keys` travel in job `jobId`. */
  assign(jobId: string, keys: readonly string[]): void {
    const members = new Set<string>();
    for (const key of keys) {
      const pending = this.#runs.get(key);
      if (pending !== undefined) {
        pending.jobId = jobId;
        members.add(key);
      }
    }
    if (members.size > 0) {
      this.#jobs.set(jobId, members);
    }
  }

  get(key: string): PendingRun | undefined {
    return this.#runs.get(key);
  }

  /** The pending runs of a job (or the run of that key, not yet in a job). */
  runsOf(jobId: string): PendingRun[] {
    const unassigned = this.#runs.get(jobId);
    return unassigned !== undefined && unassigned.jobId === undefined ? [unassigned] : this.#members(jobId);
  }

  /** The runs in flight, oldest first. */
  list(): PendingRun[] {
    return [...this.#runs.values()];
  }

  /** A worker has taken the job (BullMQ's 'active'). */
  taken(jobId: string): void {
    for (const pending of this.#members(jobId)) {
      pending.taken = true;
    }
  }

  /** The job ended: the replies it brought are handed on; a run it brought none of has had its result sent on the lines stream, which may still be on its way. */
  jobCompleted(jobId: string, replies: Map<string, DistributedReply | undefined> | undefined): void {
    for (const pending of this.#members(jobId)) {
      if (replies === undefined) {
        this.settle(pending.key, { kind: 'crashed', reason: `The worker running task run '${pending.invocation.run.name}' sent back a result this flowrun cannot read (another version of flowrun?).` });
      } else if (replies.has(pending.key)) {
        this.result(pending.key, replies.get(pending.key));
      } else if (pending.reply === undefined && pending.linesTimer === undefined) {
        pending.linesTimer = setTimeout(
          () => this.settle(pending.key, { kind: 'crashed', reason: `The result of task run '${pending.invocation.run.name}' never came back from its worker.` }),
          LINES_GRACE_MS,
        );
      }
    }
  }

  /** A run's reply came (undefined: one this flowrun cannot read). */
  result(key: string, reply: DistributedReply | undefined): void {
    const pending = this.#runs.get(key);
    if (pending === undefined || pending.reply !== undefined) {
      return;
    }
    clearTimeout(pending.linesTimer);
    if (reply === undefined) {
      this.settle(key, { kind: 'crashed', reason: `The worker running task run '${pending.invocation.run.name}' sent back a result this flowrun cannot read (another version of flowrun?).` });
      return;
    }
    pending.reply = reply;
    if (pending.lines >= reply.events) {
      this.#settleWithReply(pending);
      return;
    }
    // Its last lines are still on their way: they come first.
    pending.linesTimer = setTimeout(() => this.#settleWithReply(pending), LINES_GRACE_MS);
  }

  /** The job failed on its worker (not a task: the machinery). */
  failed(jobId: string, failedReason: string): void {
    for (const pending of this.#members(jobId)) {
      if (pending.reply !== undefined) {
        continue;
      }
      const { task, run } = pending.invocation;
      const reason = /stalled/i.test(failedReason)
        ? `Task run '${run.name}' lost its worker twice (killed or cut off from Redis while it ran task '${task.name}'); it is not sent again.`
        : `The job of task run '${run.name}' failed on its worker: ${failedReason}`;
      this.settle(pending.key, { kind: 'crashed', reason });
    }
  }

  /** The job's worker stopped answering; BullMQ hands the job to another, which runs those of its runs whose results had not come. */
  stalled(jobId: string): void {
    for (const pending of this.#members(jobId)) {
      if (pending.reply !== undefined) {
        continue;
      }
      // Its next worker counts the lines it sends from nothing: those of the
      // lost one (shown already) are not among them. (The lost worker's
      // lines were written seconds before its loss was seen, and have come.)
      pending.lines = 0;
      const { flow, run } = pending.invocation;
      logMessage(
        flow.runtime,
        taskRunSource(run),
        LOG_LEVELS.WARNING,
        'Its worker stopped answering while it ran (killed, or cut off from Redis); the task run goes to another worker.',
      );
    }
  }

  #settleWithReply(pending: PendingRun): void {
    const { reply, invocation } = pending;
    if (reply === undefined) {
      return;
    }
    switch (reply.type) {
      case 'returned':
        this.settle(pending.key, { kind: 'returned', value: reply.value });
        return;
      case 'threw':
        this.settle(pending.key, { kind: 'threw', error: deserializeError(reply.error) });
        return;
      case 'unsendable':
        this.settle(pending.key, {
          kind: 'crashed',
          reason: `Cannot send the result of task '${invocation.task.name}' back from its worker: ${reply.reason}. Return plain data, or run this flow with --runner concurrent.`,
        });
        return;
      case 'not-found':
        this.settle(pending.key, { kind: 'crashed', reason: `The worker cannot run task '${invocation.task.name}': ${reply.reason}.` });
        return;
      case 'crashed':
        this.settle(pending.key, { kind: 'crashed', reason: reply.reason });
        return;
    }
  }

  /** Hands the run its outcome, once. */
  settle(key: string, outcome: InvocationOutcome): void {
    const pending = this.#runs.get(key);
    if (pending === undefined) {
      return;
    }
    this.#runs.delete(key);
    if (pending.jobId !== undefined) {
      const members = this.#jobs.get(pending.jobId);
      members?.delete(key);
      if (members?.size === 0) {
        this.#jobs.delete(pending.jobId);
      }
    }
    clearTimeout(pending.linesTimer);
    pending.settle(outcome);
  }

  // The job's runs still pending (a copy: settling one changes the set).
  #members(jobId: string): PendingRun[] {
    return [...(this.#jobs.get(jobId) ?? [])].flatMap((key) => this.#runs.get(key) ?? []);
  }

  /** A line a worker sent of a run: shown as if the run were here. */
  line(entry: LineEntry): void {
    if (entry.kind === 'result') {
      this.result(entry.job, decodeReply(entry.text));
      return;
    }
    const pending = this.#runs.get(entry.job);
    if (pending === undefined) {
      return;
    }
    pending.lines += 1;
    const { flow, run } = pending.invocation;
    if (entry.kind === 'log') {
      const { reporter } = flow.runtime;
      // What a run logs once it has ended (or its flow run was stopped) goes to DEBUG.
      const late = flow.signal.aborted || hasRunEnded(run.state);
      const level = (late ? Math.min(entry.level, LOG_LEVELS.DEBUG) : entry.level) as LogLevel;
      if (level >= reporter.level) {
        reporter.log({ kind: 'message', time: entry.time, level, source: taskRunSource(run), text: entry.text });
      }
    } else {
      (entry.kind === 'stdout' ? process.stdout : process.stderr).write(entry.bytes ? Buffer.from(entry.text, 'base64') : entry.text);
    }
    if (pending.reply !== undefined && pending.lines >= pending.reply.events) {
      this.#settleWithReply(pending);
    }
  }

}
