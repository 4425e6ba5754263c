import { formatMessage } from '../logging/console-format.js';
import { LOG_LEVELS } from '../logging/levels.js';
import { PLAIN_STYLES } from '../logging/styles.js';
import { formatState } from '../states/format.js';
import type { HistoryDatabase } from '../history/database.js';
import { logRecordsOf, subflowRunsOf, taskRunsOf, type FlowRunRow, type TaskRunRow } from '../history/queries.js';
import { pythonRepr } from '../util/python-repr.js';

// What a run's report shows, read from the history and made compact: the
// page is one file, at most 300 KB for 1,000 task runs, so what repeats is
// said once (tasks and states as lists that rows point into) and what the
// page can rebuild is not stored (a task run's created, submitted and
// finished lines come from its row, as `flow runs logs` rebuilds them).

/** A task run: [name, task index, state index, created, start, end, run count, flow run index, 1 when called rather than submitted], times in ms from the run's start (-1: none). */
export type ReportTaskRun = [string, number, number, number, number, number, number, number, 0 | 1];

/** A stored log line: [time from the run's start, level, source, task run index or -1, message]. */
export type ReportLine = [number, number, string, number, string];

export interface ReportState {
  /** As the console writes it: `Completed()`, `Failed('...')`. */
  readonly text: string;
  readonly type: string;
  readonly name: string;
}

export interface ReportFlowRun {
  readonly id: string;
  readonly name: string;
  readonly flowName: string;
  readonly state: ReportState;
  readonly parent: string | undefined;
}

export interface RunReportData {
  readonly run: {
    readonly id: string;
    readonly name: string;
    readonly flowName: string;
    readonly state: ReportState;
    /** Epoch ms: the times of tasks and lines count from it. */
    readonly start: number;
    readonly durationMs: number | undefined;
    readonly runner: string;
    readonly parameters: Readonly<Record<string, unknown>>;
    readonly host: string;
    readonly pid: number;
    readonly runCount: number;
    /** The run's log level: the engine's lines below it were not printed, and are not rebuilt. */
    readonly logLevel: number;
  };
  /** The run first, then its subflow runs. */
  readonly flowRuns: readonly ReportFlowRun[];
  readonly tasks: readonly string[];
  readonly states: readonly ReportState[];
  readonly taskRuns: readonly ReportTaskRun[];
  readonly lines: readonly ReportLine[];
  readonly levels: Readonly<Record<string, number>>;
}

const stateOf = (state: FlowRunRow['state']): ReportState => ({ text: formatState(state), type: state.type, name: state.name });

export const collectRunReport = (db: HistoryDatabase, run: FlowRunRow): RunReportData => {
  const subflows = subflowRunsOf(db, run.seq);
  const runs = [run, ...subflows];
  const start = run.startTime ?? run.created;
  const since = (time: number | undefined): number => (time === undefined ? -1 : time - start);
  const taskRuns = taskRunsOf(
    db,
    runs.map(({ seq }) => seq),
  );
  const flowRunIndex = new Map(runs.map((flowRun, index) => [flowRun.id, index] as const));
  const tasks: string[] = [];
  const taskIndex = new Map<string, number>();
  const states: ReportState[] = [];
  const stateIndex = new Map<string, number>();
  const indexOf = <T>(list: T[], index: Map<string, number>, key: string, value: T): number => {
    let found = index.get(key);
    if (found === undefined) {
      found = list.push(value) - 1;
      index.set(key, found);
    }
    return found;
  };
  const taskRunIndex = new Map<string, number>();
  const compactRun = (taskRun: TaskRunRow, index: number): ReportTaskRun => {
    taskRunIndex.set(taskRun.id, index);
    const state = stateOf(taskRun.state);
    return [
      taskRun.name,
      indexOf(tasks, taskIndex, taskRun.taskName, taskRun.taskName),
      indexOf(states, stateIndex, `${state.type}\0${state.text}`, state),
      since(taskRun.created),
      since(taskRun.startTime),
      since(taskRun.endTime),
      taskRun.runCount,
      flowRunIndex.get(taskRun.flowRunId) ?? 0,
      taskRun.immediate ? 1 : 0,
    ];
  };
  const compactRuns = taskRuns.map(compactRun);
  // The stored lines only: the rebuilt ones come from the rows, in the page.
  const lines: ReportLine[] = [];
  for (const record of logRecordsOf(db, runs, { level: LOG_LEVELS.DEBUG })) {
    if (record.kind !== 'message') {
      continue;
    }
    const { source } = record;
    const label = source.kind === 'flow-run' ? `Flow run ${pythonRepr(source.name)}` : source.kind === 'task-run' ? `Task run ${pythonRepr(source.name)}` : source.name;
    lines.push([since(record.time), record.level, label, source.kind === 'task-run' ? (taskRunIndex.get(source.id) ?? -1) : -1, formatMessage(record, PLAIN_STYLES)]);
  }
  return {
    run: {
      id: run.id,
      name: run.name,
      flowName: run.flowName,
      state: stateOf(run.state),
      start,
      durationMs: run.endTime === undefined ? undefined : run.endTime - start,
      runner: run.runner,
      parameters: run.parameters,
      host: run.host,
      pid: run.pid,
      runCount: run.runCount,
      logLevel: run.logLevel,
    },
    flowRuns: runs.map((flowRun) => ({ id: flowRun.id, name: flowRun.name, flowName: flowRun.flowName, state: stateOf(flowRun.state), parent: flowRun.parentId })),
    tasks,
    states,
    taskRuns: compactRuns,
    lines,
    levels: LOG_LEVELS,
  };
};

