import type { HistoryDatabase } from './database.js';

// A flow run whose process died without finishing it (SIGKILL, out of
// memory, a power loss) would show as Running for good: Prefect users find
// such runs stuck (Prefect issue 18710). Every `flow runs` command first
// looks at the unfinished runs recorded on this host, and ends Crashed those
// whose process is gone, with their unfinished task runs. A run of another
// host cannot be checked from here and is left as it is.
//
// A process id can be reused after its process ends; a run whose pid now
// belongs to another process stays Running until that one ends too.

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
};

/** Marks Crashed the unfinished runs of this host whose process is gone; returns how many flow runs it ended. */
export const endRunsOfDeadProcesses = (db: HistoryDatabase, host: string, now = Date.now()): number => {
  const unfinished = db.prepare('SELECT seq, pid FROM flow_runs WHERE end_time IS NULL AND host = ?').all(host) as { seq: number; pid: number }[];
  const dead = unfinished.filter(({ pid }) => pid !== process.pid && !isAlive(pid));
  if (dead.length === 0) {
    return 0;
  }
  const endFlowRun = db.prepare(`UPDATE flow_runs SET state_type = 'CRASHED', state_name = 'Crashed', state_message = ?, end_time = ?
    WHERE seq = ? AND end_time IS NULL`);
  const endTaskRuns = db.prepare(`UPDATE task_runs SET state_type = 'CRASHED', state_name = NULL, state_message = ?, end_time = ?
    WHERE flow_run_seq = ? AND end_time IS NULL`);
  db.transaction(() => {
    for (const { seq, pid } of dead) {
      const message = `The process that ran it (pid ${pid} on ${host}) ended without finishing it.`;
      endFlowRun.run(message, now, seq);
      endTaskRuns.run(message, now, seq);
    }
  }).immediate();
  return dead.length;
};
