import type { State } from '../states/state.js';
import { formatLine } from './console-format.js';
import type { LogLevel } from './levels.js';
import type { LogRecord } from './records.js';
import type { RunReporter } from './reporter.js';
import { countQueuedRuns } from './queued-runs.js';
import type { Spinner } from './spinner.js';
import type { LogStyles } from './styles.js';

/** Where lines go: a stream, or lines batched on their way to one (batched-lines.ts). */
export interface LineSink {
  write(chunk: string): unknown;
  beforeUserCode?(): void;
  close?(): void;
}

export interface ConsoleReporterOptions {
  readonly stream: LineSink;
  readonly level: LogLevel;
  readonly styles: LogStyles;
  /** Masks secret values in each line (createSecretMasker); none by default. */
  readonly mask?: (line: string) => string;
}

type Bucket = 'running' | 'completed' | 'failed' | 'other';

const toBucket = (state: State): Bucket => {
  switch (state.type) {
    case 'RUNNING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
    case 'CRASHED':
      return 'failed';
    default:
      return 'other';
  }
};

// Prints each record as one Prefect-style line on the stream (stderr), and
// keeps the spinner's counts of running, completed and failed task runs.
export class ConsoleReporter implements RunReporter {
  readonly level: LogLevel;
  readonly #stream: ConsoleReporterOptions['stream'];
  readonly #styles: LogStyles;
  readonly #mask: ((line: string) => string) | undefined;
  readonly #counts: Record<Bucket, number> = { running: 0, completed: 0, failed: 0, other: 0 };
  #spinner: Spinner | undefined;

  constructor(options: ConsoleReporterOptions) {
    this.level = options.level;
    this.#stream = options.stream;
    this.#styles = options.styles;
    this.#mask = options.mask;
  }

  attachSpinner(spinner: Spinner): void {
    this.#spinner = spinner;
    spinner.setText(this.describeCounts());
  }

  log(record: LogRecord): void {
    if (record.level >= this.level) {
      const line = formatLine(record, this.#styles);
      this.#stream.write(`${this.#mask === undefined ? line : this.#mask(line)}\n`);
    }
  }

  beforeUserCode(): void {
    this.#stream.beforeUserCode?.();
  }

  taskRunStateChanged(_run: { readonly id: string }, state: State, previous: State | undefined): void {
    const next = toBucket(state);
    const before = previous === undefined ? undefined : toBucket(previous);
    if (before === next) {
      return;
    }
    if (before !== undefined) {
      this.#counts[before] -= 1;
    }
    this.#counts[next] += 1;
    this.#spinner?.setText(this.describeCounts());
  }

  describeCounts(): string {
    const { running, completed, failed } = this.#counts;
    // Running runs that wait in a runner's own queue are not running yet.
    const reallyRunning = Math.max(0, running - countQueuedRuns());
    return `task runs: ${reallyRunning} running, ${completed} completed, ${failed} failed`;
  }

  close(): void {
    this.#spinner?.stop();
    this.#spinner = undefined;
    this.#stream.close?.();
  }
}
