import { formatTime } from '../logging/console-format.js';
import type { LockHolder } from './flow-lock.js';

// The line that says who holds a flow's lock: the pid and since when, and
// the flow run's name when the history has it.

const findRunName = async (storeDir: string, flowName: string, pid: number): Promise<string | undefined> => {
  try {
    const { openHistory } = await import('../history/database.js');
    const db = openHistory(storeDir, { create: false });
    if (db === undefined) {
      return undefined;
    }
    try {
      return db
        .prepare('SELECT name FROM flow_runs WHERE flow_name = ? AND pid = ? AND end_time IS NULL AND parent_seq IS NULL ORDER BY created DESC LIMIT 1')
        .pluck()
        .get(flowName, pid) as string | undefined;
    } finally {
      db.close();
    }
  } catch {
    // The name is a nicety: a history that cannot be read leaves it out.
    return undefined;
  }
};

export const describeHolder = async (storeDir: string, flowName: string, holder: LockHolder | undefined): Promise<string> => {
  if (holder === undefined) {
    return `Flow '${flowName}' is already running in this project`;
  }
  const name = await findRunName(storeDir, flowName, holder.pid);
  const run = name === undefined ? '' : `flow run '${name}', `;
  return `Flow '${flowName}' is already running in this project (${run}pid ${holder.pid}, since ${formatTime(holder.since)})`;
};
