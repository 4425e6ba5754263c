import { formatState } from '../states/format.js';
import { formatExceptionWithStack } from '../states/from-outcome.js';
import { pythonRepr } from '../util/python-repr.js';
import { getLevelName } from './levels.js';
import type { LogRecord, LogRecordKind, LogSource } from './records.js';
import type { LogStyles } from './styles.js';

type MessageFormatters = {
  readonly [K in LogRecordKind]: (record: Extract<LogRecord, { kind: K }>, styles: LogStyles) => string;
};

// The message part of each line, in Prefect's words (PREFECT-NOTES.md section 1).
const MESSAGE_FORMATTERS: MessageFormatters = {
  'flow-run-created': (record, styles) =>
    `Created ${record.subflow ? 'subflow' : 'flow'} run ${styles.flowRunName(pythonRepr(record.flowRunName))} for flow ${styles.flowName(pythonRepr(record.flowName))}`,
  'runner-started': (record) =>
    `Starting ${pythonRepr(record.runnerName)}; submitted tasks will be run ${record.concurrency}...`,
  'task-run-created': (record) =>
    `Created task run ${pythonRepr(record.taskRunName)} for task ${pythonRepr(record.taskName)}`,
  'task-run-submitted': (record) =>
    record.immediate
      ? `Executing ${pythonRepr(record.taskRunName)} immediately...`
      : `Submitted task run ${pythonRepr(record.taskRunName)} for execution.`,
  exception: (record) => `Encountered exception during execution:\n${formatExceptionWithStack(record.error)}`,
  finished: (record, styles) => {
    const text = formatState(record.state);
    const name = record.state.name;
    return `Finished in state ${styles.state(record.state.type, name, name)}${text.slice(name.length)}`;
  },
  message: (record) => record.text,
};

const formatSource = (source: LogSource, styles: LogStyles): string => {
  switch (source.kind) {
    case 'flow-run':
      return `Flow run ${styles.flowRunName(pythonRepr(source.name))}`;
    case 'task-run':
      return `Task run ${pythonRepr(source.name)}`;
    case 'logger':
      return source.name;
  }
};

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

// HH:MM:SS.mmm in local time, as Prefect's console handler prints it.
export const formatTime = (time: number): string => {
  const date = new Date(time);
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
};

export const formatMessage = (record: LogRecord, styles: LogStyles): string =>
  (MESSAGE_FORMATTERS[record.kind] as (record: LogRecord, styles: LogStyles) => string)(record, styles);

// `HH:MM:SS.mmm | LEVEL   | <who> - <message>`; a multi-line message (a stack)
// continues on the following lines as it is.
export const formatLine = (record: LogRecord, styles: LogStyles): string => {
  const levelName = getLevelName(record.level);
  return `${formatTime(record.time)} | ${styles.level(levelName, levelName.padEnd(7))} | ${formatSource(record.source, styles)} - ${formatMessage(record, styles)}`;
};
