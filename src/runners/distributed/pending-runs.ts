import type { InvocationOutcome, TaskInvocation } from '../../engine/invocation.js';
import { logMessage, taskRunSource } from '../../engine/run-log.js';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import { hasRunEnded } from '../../states/state.js';
import { deserializeError } from '../parallel/deserialize.js';
import { decodeValue, type DistributedReply, type LineEntry, type TaskRunJobResult } from './job-protocol.js';

// The task runs a distributed runner has sent and not yet handed an
// outcome, by job id: what comes back for them (results, failures, stalls,
// their lines) is matched here, and a run is handed its outcome only once
// every line its worker said it sent has been shown.

/** How long a result waits for lines its worker said it sent and that have not arrived. */
const LINES_GRACE_MS = 10_000;

/** A task run sent to the queue, until its outcome is handed back. */
export interface PendingRun {
  readonly invocation: TaskInvocation;
  readonly jobId: string;
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

/** A job's result as BullMQ hands it (parsed already, or its JSON), or undefined when it is not one this flowrun reads. */
export const decodeJobResult = (returnvalue: unknown): DistributedReply | undefined => {
  let result = returnvalue;
  if (typeof result === 'string') {
    try {
      result = JSON.parse(result) as unknown;
    } catch {
      return undefined;
    }
  }
  const reply = (result as Partial<TaskRunJobResult> | null)?.reply;
  if (typeof reply !== 'string') {
    return undefined;
  }
  const decoded = decodeValue(reply);
  return isDistributedReply(decoded) ? decoded : undefined;
};

export class PendingRuns {
  readonly #runs = new Map<string, PendingRun>();

  /** Registers a run as sent (before its job is added: its result may come at once); resolves to its outcome. */
  add(jobId: string, invocation: TaskInvocation): Promise<InvocationOutcome> {
    return new Promise<InvocationOutcome>((resolve) => {
      this.#runs.set(jobId, { invocation, jobId, settle: resolve, lines: 0, reply: undefined, linesTimer: undefined, taken: false, sentAt: Date.now() });
    });
  }

  get(jobId: string): PendingRun | undefined {
    return this.#runs.get(jobId);
  }

  /** The runs in flight, oldest first. */
  list(): PendingRun[] {
    return [...this.#runs.values()];
  }

  /** A worker has taken the run (BullMQ's 'active'). */
  taken(jobId: string): void {
    const pending = this.#runs.get(jobId);
    if (pending !== undefined) {
      pending.taken = true;
    }
  }

  /** The run's reply came (undefined: one this flowrun cannot read). */
  result(jobId: string, reply: DistributedReply | undefined): void {
    const pending = this.#runs.get(jobId);
    if (pending === undefined || pending.reply !== undefined) {
      return;
    }
    if (reply === undefined) {
      this.settle(jobId, { kind: 'crashed', reason: `The worker running task run '${pending.invocation.run.name}' sent back a result this flowrun cannot read (another version of flowrun?).` });
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

  /** The run's job failed on its worker (not the task: the machinery). */
  failed(jobId: string, failedReason: string): void {
    const pending = this.#runs.get(jobId);
    if (pending === undefined || pending.reply !== undefined) {
      return;
    }
    const { task, run } = pending.invocation;
    const reason = /stalled/i.test(failedReason)
      ? `Task run '${run.name}' lost its worker twice (killed or cut off from Redis while it ran task '${task.name}'); it is not sent again.`
      : `The job of task run '${run.name}' failed on its worker: ${failedReason}`;
    this.settle(jobId, { kind: 'crashed', reason });
  }

  /** The run's worker stopped answering; BullMQ hands the job to another. */
  stalled(jobId: string): void {
    const pending = this.#runs.get(jobId);
    if (pending === undefined) {
      return;
    }
    const { flow, run } = pending.invocation;
    logMessage(
      flow.runtime,
      taskRunSource(run),
      LOG_LEVELS.WARNING,
      'Its worker stopped answering while it ran (killed, or cut off from Redis); the task run goes to another worker.',
    );
  }

  #settleWithReply(pending: PendingRun): void {
    const { reply, invocation } = pending;
    if (reply === undefined) {
      return;
    }
    switch (reply.type) {
      case 'returned':
        this.settle(pending.jobId, { kind: 'returned', value: reply.value });
        return;
      case 'threw':
        this.settle(pending.jobId, { kind: 'threw', error: deserializeError(reply.error) });
        return;
      case 'unsendable':
        this.settle(pending.jobId, {
          kind: 'crashed',
          reason: `Cannot send the result of task '${invocation.task.name}' back from its worker: ${reply.reason}. Return plain data, or run this flow with --runner concurrent.`,
        });
        return;
      case 'not-found':
        this.settle(pending.jobId, { kind: 'crashed', reason: `The worker cannot run task '${invocation.task.name}': ${reply.reason}.` });
        return;
      case 'crashed':
        this.settle(pending.jobId, { kind: 'crashed', reason: reply.reason });
        return;
    }
  }

  /** Hands the run its outcome, once. */
  settle(jobId: string, outcome: InvocationOutcome): void {
    const pending = this.#runs.get(jobId);
    if (pending === undefined) {
      return;
    }
    this.#runs.delete(jobId);
    clearTimeout(pending.linesTimer);
    pending.settle(outcome);
  }

  /** A line a worker sent of a run: shown as if the run were here. */
  line(entry: LineEntry): void {
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
