import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryDatabase } from './database.js';

// `flow runs prune`: finished flow runs older than a cutoff go, with all
// they own (subflow runs, task runs, state changes, log records, persisted
// results: the schema's ON DELETE CASCADE), and the freed pages go back to
// the file (incremental vacuum). Prefect's database grows without bound
// (Prefect issues 16054, 10356); ours need not.

export interface PruneCount {
  readonly flowRuns: number;
  readonly subflowRuns: number;
  readonly taskRuns: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` in milliseconds; undefined for anything else. */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  return match === null || unit === undefined ? undefined : Number(match[1]) * unit;
};

// Top-level runs that ended before the cutoff; a subflow run goes with its
// parent, and a run still going (or crashed unseen) is never pruned.
const PRUNABLE = 'SELECT seq FROM flow_runs WHERE parent_seq IS NULL AND end_time IS NOT NULL AND end_time < ?';

const SUBFLOWS = `WITH RECURSIVE tree(seq) AS (SELECT seq FROM flow_runs WHERE parent_seq IN (${PRUNABLE})
  UNION ALL SELECT f.seq FROM flow_runs f JOIN tree t ON f.parent_seq = t.seq)`;

/** What pruning runs that ended before `cutoff` would delete. */
export const countPrunable = (db: HistoryDatabase, cutoff: number): PruneCount => {
  const flowRuns = db.prepare(`SELECT count(*) FROM (${PRUNABLE})`).pluck().get(cutoff) as number;
  const subflowRuns = db.prepare(`${SUBFLOWS} SELECT count(*) FROM tree`).pluck().get(cutoff) as number;
  const taskRuns = db
    .prepare(`${SUBFLOWS} SELECT count(*) FROM task_runs WHERE flow_run_seq IN (SELECT seq FROM tree UNION ALL ${PRUNABLE})`)
    .pluck()
    .get(cutoff, cutoff) as number;
  return { flowRuns, subflowRuns, taskRuns };
};

/**
 * Deletes the runs that ended before `cutoff`, with everything they own (the
 * files of large kept results too, under `storeDir`), and gives the freed
 * pages back to the file.
 */
export const prune = (db: HistoryDatabase, storeDir: string, cutoff: number): PruneCount => {
  let count: PruneCount = { flowRuns: 0, subflowRuns: 0, taskRuns: 0 };
  let files: string[] = [];
  db.transaction(() => {
    count = countPrunable(db, cutoff);
    files = db
      .prepare(
        `${SUBFLOWS} SELECT result_file FROM task_runs
         WHERE result_file IS NOT NULL AND flow_run_seq IN (SELECT seq FROM tree UNION ALL ${PRUNABLE})`,
      )
      .pluck()
      .all(cutoff, cutoff) as string[];
    db.prepare(`DELETE FROM flow_runs WHERE seq IN (${PRUNABLE})`).run(cutoff);
  }).immediate();
  // Once their rows are gone: a file nobody refers to is only wasted space,
  // a row whose file is gone would fail a retry.
  for (const file of files) {
    rmSync(join(storeDir, file), { force: true });
  }
  db.pragma('incremental_vacuum');
  return count;
};
