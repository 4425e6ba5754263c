import type { FlowRun } from '../engine/runs.js';
import type { State } from '../states/state.js';
import { formatMessage } from './console-format.js';
import type { LineSink } from './console-reporter.js';
import { getLevelName, type LogLevel } from './levels.js';
import type { LogRecord } from './records.js';
import type { RunReporter } from './reporter.js';
import { PLAIN_STYLES } from './styles.js';

// `--log-format json`: each record as one JSON object a line, for log
// collectors and CI. It reads the same records as the console: `message` is
// the very text the console prints after ` - ` (formatMessage, without
// colour), so the two formats never say different things. A multi-line
// message (a stack) stays inside its object.

export interface JsonLinesReporterOptions {
  readonly stream: LineSink;
  readonly level: LogLevel;
  /** Masks secret values in each line (createSecretMasker). */
  readonly mask?: (line: string) => string;
}

interface FlowRunNames {
  readonly name: string;
  readonly flowName: string;
}

/** The `logger` of a record, as Prefect names its loggers. */
const loggerOf = (record: LogRecord): string => {
  switch (record.source.kind) {
    case 'flow-run':
      return 'flow_run';
    case 'task-run':
      return 'task_run';
    default:
      return record.source.name;
  }
};

export class JsonLinesReporter implements RunReporter {
  readonly level: LogLevel;
  readonly #stream: LineSink;
  readonly #mask: (line: string) => string;
  // Records name their run but not its flow: the flow runs seen so far say it.
  readonly #flowRuns = new Map<string, FlowRunNames>();

  constructor(options: JsonLinesReporterOptions) {
    this.level = options.level;
    this.#stream = options.stream;
    this.#mask = options.mask ?? ((line) => line);
  }

  log(record: LogRecord): void {
    if (record.kind === 'flow-run-created') {
      this.#flowRuns.set(record.flowRunId, { name: record.flowRunName, flowName: record.flowName });
    }
    if (record.level < this.level) {
      return;
    }
    // Masked field by field: in JSON text a secret holding a quote or a backslash would no longer read as itself.
    const mask = this.#mask;
    const entry: Record<string, unknown> = {
      ts: new Date(record.time).toISOString(),
      level: getLevelName(record.level),
      logger: loggerOf(record),
      message: mask(formatMessage(record, PLAIN_STYLES)),
    };
    const { source } = record;
    const flowRunId = source.kind === 'flow-run' ? source.id : source.kind === 'task-run' ? source.flowRunId : record.kind === 'flow-run-created' ? record.flowRunId : undefined;
    if (flowRunId !== undefined) {
      const names = this.#flowRuns.get(flowRunId);
      entry['flowRunId'] = flowRunId;
      const flowRunName = source.kind === 'flow-run' ? source.name : names?.name;
      entry['flowRunName'] = flowRunName === undefined ? undefined : mask(flowRunName);
      entry['flowName'] = names?.flowName;
    }
    if (source.kind === 'task-run') {
      entry['taskRunId'] = source.id;
      entry['taskRunName'] = mask(source.name);
    } else if (record.kind === 'task-run-created' || record.kind === 'task-run-submitted') {
      entry['taskRunId'] = record.taskRunId;
      entry['taskRunName'] = mask(record.taskRunName);
    }
    if (record.kind === 'finished') {
      const { type, name, message } = record.state;
      entry['state'] = { type, name, message: message === undefined ? null : mask(message) };
    }
    this.#stream.write(`${JSON.stringify(entry)}\n`);
  }

  taskRunStateChanged(): void {
    // Nothing to count: no spinner.
  }

  flowRunStateChanged(run: FlowRun, _state: State, previous: State | undefined): void {
    if (previous === undefined) {
      this.#flowRuns.set(run.id, { name: run.name, flowName: run.flowName });
    }
  }

  beforeUserCode(): void {
    this.#stream.beforeUserCode?.();
  }

  close(): void {
    this.#stream.close?.();
  }
}
