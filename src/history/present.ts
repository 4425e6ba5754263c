import { formatTime } from '../logging/console-format.js';
import { formatState } from '../states/format.js';
import type { FlowRunRow, RecordedState, TaskRunRow } from './queries.js';

// How `flow runs` shows what the history holds: columns for people, and the
// objects of API.md section 5 for `--json`.

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** `2026-12-05 08:36:11`, local time. */
export const formatDateTime = (time: number): string => {
  const date = new Date(time);
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
};

/** `0.42s`, `12.3s`, `4m 05s`, `2h 03m`. */
export const formatDuration = (ms: number): string => {
  if (ms < 10_000) {
    return `${(ms / 1000).toFixed(2)}s`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)}s`;
  }
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
  }
  return `${Math.floor(seconds / 3600)}h ${pad2(Math.floor((seconds % 3600) / 60))}m`;
};

const durationOf = (run: { readonly created: number; readonly startTime: number | undefined; readonly endTime: number | undefined }): string =>
  run.endTime === undefined ? '-' : formatDuration(run.endTime - (run.startTime ?? run.created));

export const describeState = (state: RecordedState): string => formatState(state);

/** Lines of aligned columns, two spaces apart; the last column is not padded. */
export const formatTable = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `${text}\n`).join('');
};

export const formatRunList = (runs: readonly FlowRunRow[]): string =>
  formatTable(
    ['ID', 'FLOW', 'NAME', 'STATE', 'STARTED', 'DURATION'],
    runs.map((run) => [run.id.slice(0, 8), run.flowName, run.name, run.state.name, formatDateTime(run.startTime ?? run.created), durationOf(run)]),
  );

const iso = (time: number | undefined): string | null => (time === undefined ? null : new Date(time).toISOString());

const stateJson = (state: RecordedState): { type: string; name: string; message: string | null } => ({
  type: state.type,
  name: state.name,
  message: state.message ?? null,
});

/** A flow run as `flow runs ls --json` gives it. */
export const flowRunJson = (run: FlowRunRow): Record<string, unknown> => ({
  id: run.id,
  name: run.name,
  flow: run.flowName,
  state: stateJson(run.state),
  parameters: run.parameters,
  runner: run.runner,
  startTime: iso(run.startTime ?? run.created),
  endTime: iso(run.endTime),
  runCount: run.runCount,
  parentId: run.parentId ?? null,
  host: run.host,
  pid: run.pid,
});

export const taskRunJson = (run: TaskRunRow): Record<string, unknown> => ({
  id: run.id,
  name: run.name,
  task: run.taskName,
  flowRunId: run.flowRunId,
  state: stateJson(run.state),
  startTime: iso(run.startTime),
  endTime: iso(run.endTime),
  runCount: run.runCount,
});

/** `flow runs show`: the flow run, then its task runs and subflow runs. */
export const formatRunDetails = (run: FlowRunRow, taskRuns: readonly TaskRunRow[], subflowRuns: readonly FlowRunRow[]): string => {
  const fields: [string, string][] = [
    ['id', run.id],
    ['flow', run.flowFile === undefined ? run.flowName : `${run.flowName} (${run.flowFile}${run.flowExport === undefined || run.flowExport === 'default' ? '' : `:${run.flowExport}`})`],
    ['state', describeState(run.state)],
    ['started', formatDateTime(run.startTime ?? run.created)],
    ['ended', run.endTime === undefined ? '-' : formatDateTime(run.endTime)],
    ['duration', durationOf(run)],
    ['runner', run.runner],
    ['parameters', JSON.stringify(run.parameters)],
    ['run count', String(run.runCount)],
    ['process', `pid ${run.pid} on ${run.host}`],
  ];
  if (run.parentId !== undefined) {
    fields.splice(1, 0, ['parent', run.parentId]);
  }
  const width = Math.max(...fields.map(([label]) => label.length));
  let text = `Flow run '${run.name}'\n${fields.map(([label, value]) => `  ${label.padEnd(width)}  ${value}\n`).join('')}`;
  text += `\nTask runs (${taskRuns.length})\n`;
  if (taskRuns.length > 0) {
    text += indent(
      formatTable(
        ['NAME', 'STATE', 'STARTED', 'DURATION', 'ATTEMPTS', 'MESSAGE'],
        taskRuns.map((taskRun) => [
          taskRun.name,
          taskRun.state.name,
          taskRun.startTime === undefined ? '-' : formatTime(taskRun.startTime),
          taskRun.startTime === undefined ? '-' : durationOf(taskRun),
          String(taskRun.runCount),
          taskRun.state.message ?? '',
        ]),
      ),
    );
  }
  text += `\nSubflow runs (${subflowRuns.length})\n`;
  if (subflowRuns.length > 0) {
    text += indent(formatRunList(subflowRuns));
  }
  return text;
};

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
