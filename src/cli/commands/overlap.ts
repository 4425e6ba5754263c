import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import type { RunReporter } from '../../logging/reporter.js';
import type { FlowLock } from '../../overlap/flow-lock.js';

// `--overlap skip|wait` for `flow run`: the lock of the flow in its project
// (overlap/flow-lock.ts), taken before the run starts and held to its end.

export interface OverlapOutcome {
  /** Held until the run ends; undefined with `allow`, or when skipped. */
  readonly lock: FlowLock | undefined;
  /** `skip`, and another run holds the flow: this one does not start. */
  readonly skipped: boolean;
}

export const holdOverlapLock = async (overlap: 'allow' | 'skip' | 'wait', storeDir: string, flowName: string, reporter: RunReporter): Promise<OverlapOutcome> => {
  if (overlap === 'allow') {
    return { lock: undefined, skipped: false };
  }
  const { tryLockFlow, waitForFlowLock } = await import('../../overlap/flow-lock.js');
  const { describeHolder } = await import('../../overlap/describe-holder.js');
  const say = (level: LogLevel, text: string): void =>
    reporter.log({ kind: 'message', time: Date.now(), level, source: { kind: 'logger', name: 'flowrun.overlap' }, text });
  if (overlap === 'skip') {
    const attempt = tryLockFlow(storeDir, flowName);
    if (attempt.kind === 'locked') {
      return { lock: attempt.lock, skipped: false };
    }
    // WARNING: a cron job logging at WARNING still says why it did nothing.
    say(LOG_LEVELS.WARNING, `${await describeHolder(storeDir, flowName, attempt.holder)}; with --overlap skip this run does not start.`);
    return { lock: undefined, skipped: true };
  }
  let waiting: Promise<void> = Promise.resolve();
  const lock = await waitForFlowLock(storeDir, flowName, (holder) => {
    waiting = describeHolder(storeDir, flowName, holder).then((text) => say(LOG_LEVELS.INFO, `${text}; with --overlap wait this run starts when it ends.`));
  });
  await waiting;
  return { lock, skipped: false };
};
