import { readFileSync } from 'node:fs';
import type { HistoryDatabase } from './database.js';

// A flow run whose process died without finishing it (SIGKILL, out of
// memory, a power loss) would show as Running for good: Prefect users find
// such runs stuck (Prefect issue 18710). Every `flow runs` command first
// looks at the unfinished runs recorded on this host, and ends Crashed those
// whose process is gone, with their unfinished task runs. A run of another
// host cannot be checked from here and is left as it is.
//
// A process id can be reused after its process ends (after a reboot, the
// first few hundred come back at once): on Linux a live pid whose process
// started after the run was created is another process, and the run's is
// gone. Elsewhere such a run stays Running until that process ends too.

// Clock ticks of /proc's times: 100 on every Linux flowrun runs on (USER_HZ).
const TICKS_PER_SECOND = 100;
// Tick rounding, and a clock stepped by NTP between the two readings.
const START_TIME_SLACK_MS = 2_000;

const bootTimeMs = (): number | undefined => {
  try {
    const line = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return line?.[1] === undefined ? undefined : Number(line[1]) * 1000;
  } catch {
    return undefined;
  }
};

/** When the process of `pid` started (ms since the epoch), where /proc says; undefined elsewhere. */
export const processStartTime = (pid: number, bootTime = bootTimeMs()): number | undefined => {
  if (bootTime === undefined) {
    return undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: fields are counted after its last ')'. starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? bootTime + (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
};

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
  const unfinished = db.prepare('SELECT seq, pid, created FROM flow_runs WHERE end_time IS NULL AND host = ?').all(host) as { seq: number; pid: number; created: number }[];
  const bootTime = bootTimeMs();
  const isGone = ({ pid, created }: { pid: number; created: number }): boolean => {
    if (!isAlive(pid)) {
      return true;
    }
    const started = processStartTime(pid, bootTime);
    return started !== undefined && started > created + START_TIME_SLACK_MS;
  };
  const dead = unfinished.filter(isGone);
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
