import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EarlierAttempt, EarlierResult, EarlierTaskRun } from '../engine/earlier-attempt.js';
import type { StateType } from '../states/state.js';
import type { HistoryDatabase } from './database.js';

// What `flow runs retry` needs of the attempt it follows, read from the
// history before the run starts (the run's own recorder writes the same
// rows): each task run's id by task key and place, the results its
// completed runs kept, and its subflow runs by flow and order.

interface RawTaskRun {
  id: string;
  key: string;
  dynamic_key: number;
  state_type: StateType;
  has_result: number | null;
  inputs: string | null;
  value: string | null;
  file: string | null;
  problem: string | null;
}

interface RawSubflowRun {
  seq: number;
  id: string;
  name: string;
  flow_name: string;
  run_count: number;
}

export interface EarlierRun {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  readonly runCount: number;
}

const runKey = (taskKey: string, dynamicKey: number): string => `${dynamicKey}:${taskKey}`;

const toResult = (raw: RawTaskRun, storeDir: string): EarlierResult | undefined => {
  if (raw.state_type !== 'COMPLETED') {
    return undefined;
  }
  if (raw.has_result === null) {
    return { kind: 'not-kept', reason: 'the run history did not record it' };
  }
  if (raw.problem !== null) {
    return { kind: 'not-kept', reason: raw.problem };
  }
  if (raw.inputs === null) {
    return { kind: 'not-kept', reason: 'its inputs were not recorded' };
  }
  const { value, file } = raw;
  const read = (): unknown => {
    if (file !== null) {
      return JSON.parse(readFileSync(join(storeDir, file), 'utf8')) as unknown;
    }
    return value === null ? undefined : (JSON.parse(value) as unknown);
  };
  return { kind: 'kept', inputs: raw.inputs, read };
};

/** The earlier attempt of `run` (and, on demand, of each of its subflow runs). */
export const loadEarlierAttempt = (db: HistoryDatabase, storeDir: string, run: EarlierRun): EarlierAttempt => {
  const selectTaskRuns = db.prepare(`SELECT t.id, k.key, t.dynamic_key, t.state_type,
      CASE WHEN t.result_inputs IS NULL AND t.result_problem IS NULL THEN NULL ELSE 1 END AS has_result,
      t.result_inputs AS inputs, t.result_value AS value, t.result_file AS file, t.result_problem AS problem
    FROM task_runs t JOIN tasks k ON k.seq = t.task_seq WHERE t.flow_run_seq = ?`);
  const selectSubflowRuns = db.prepare('SELECT seq, id, name, flow_name, run_count FROM flow_runs WHERE parent_seq = ? ORDER BY created, seq');
  // Everything is read now: the database is closed before the run starts.
  const load = (of: EarlierRun): EarlierAttempt => {
    const taskRuns = new Map<string, EarlierTaskRun>();
    for (const raw of selectTaskRuns.all(of.seq) as RawTaskRun[]) {
      taskRuns.set(runKey(raw.key, raw.dynamic_key), { id: raw.id, result: toResult(raw, storeDir) });
    }
    const subflows = new Map<string, EarlierAttempt[]>();
    for (const raw of selectSubflowRuns.all(of.seq) as RawSubflowRun[]) {
      const list = subflows.get(raw.flow_name) ?? [];
      list.push(load({ seq: raw.seq, id: raw.id, name: raw.name, runCount: raw.run_count }));
      subflows.set(raw.flow_name, list);
    }
    return {
      flowRunId: of.id,
      name: of.name,
      runCount: of.runCount,
      taskRun: (taskKey, dynamicKey) => taskRuns.get(runKey(taskKey, dynamicKey)),
      subflowRun: (flowName, ordinal) => subflows.get(flowName)?.[ordinal],
    };
  };
  return load(run);
};
