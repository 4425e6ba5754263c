import { getGlobalSingleton } from './global-singleton.js';

// Work that must be done before the CLI exits on a signal, which it does
// without waiting for the event loop to empty: a distributed runner
// withdrawing its flow run's jobs from Redis, so that no worker starts a task
// run of a flow run that is over. Each piece is awaited up to a deadline.

const pending = getGlobalSingleton<{ work: Set<Promise<unknown>> }>('exit-work', () => ({ work: new Set() }));

/** Registers `work`; it is forgotten once done. */
export const addExitWork = (work: Promise<unknown>): void => {
  const settled = work.catch(() => undefined).finally(() => pending.work.delete(settled));
  pending.work.add(settled);
};

/** Resolves once every registered piece of work is done, or after `timeoutMs`. */
export const awaitExitWork = async (timeoutMs: number): Promise<void> => {
  if (pending.work.size === 0) {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([...pending.work]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
};
