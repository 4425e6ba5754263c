import { appendFileSync } from 'node:fs';
import type { FlowRun, TaskRun } from '../engine/runs.js';
import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import type { LogRecord } from '../logging/records.js';
import type { RunReporter } from '../logging/reporter.js';
import { formatState } from '../states/format.js';
import { formatExceptionWithStack } from '../states/from-outcome.js';
import { hasRunEnded, type State } from '../states/state.js';
import { findUserFrame, workflowCommand } from './github-commands.js';

// Under GitHub Actions (GITHUB_ACTIONS=true): an `::error` annotation for
// each task run or flow run that ends Failed, Crashed or TimedOut, on the
// line of the user's code its stack points to, and at the end a Markdown
// summary of the run appended to $GITHUB_STEP_SUMMARY. GitHub shows at most
// 10 error annotations of a step, so after 10 one notice counts the rest.

const MOST_ANNOTATIONS = 10;

export interface GitHubActionsOptions {
  /** Writes one workflow command line (on stdout, where the runner reads them). */
  readonly write: (line: string) => void;
  readonly summaryPath: string | undefined;
  readonly cwd: string;
  readonly mask: (text: string) => string;
}

interface Failure {
  readonly kind: 'task run' | 'flow run';
  readonly name: string;
  readonly state: State;
  readonly where: { file: string; line: number } | undefined;
}

/** The top-level flow run, for the summary. */
interface TopRun {
  readonly run: FlowRun;
  readonly start: number | undefined;
  readonly state: State;
}

const failed = (state: State): boolean => hasRunEnded(state) && (state.type === 'FAILED' || state.type === 'CRASHED');

// Text that Markdown must show as it is: a message may hold '<', '|' or '*'.
const markdownText = (text: string): string => text.replace(/[\\`*_[\]<>|#]/g, (character) => `\\${character}`).replace(/\n/g, ' ');

export class GitHubActionsReporter implements RunReporter {
  // Exceptions are logged at ERROR: their stacks say where a failure is.
  readonly level: LogLevel = LOG_LEVELS.ERROR;
  readonly #options: GitHubActionsOptions;
  readonly #stacks = new Map<string, string>();
  readonly #taskStates = new Map<string, State>();
  readonly #failures: Failure[] = [];
  #top: TopRun | undefined;
  #closed = false;

  constructor(options: GitHubActionsOptions) {
    this.#options = options;
  }

  log(record: LogRecord): void {
    if (record.kind === 'exception' && (record.source.kind === 'task-run' || record.source.kind === 'flow-run')) {
      this.#stacks.set(record.source.id, formatExceptionWithStack(record.error));
    }
  }

  taskRunStateChanged(run: TaskRun, state: State): void {
    this.#taskStates.set(run.id, state);
    if (failed(state)) {
      this.#fail('task run', run.id, run.name, state);
    }
  }

  flowRunStateChanged(run: FlowRun, state: State): void {
    if (run.parentId === undefined) {
      const start = this.#top?.start ?? (state.type === 'RUNNING' ? state.timestamp : undefined);
      this.#top = { run, start, state };
    }
    if (failed(state)) {
      this.#fail('flow run', run.id, run.name, state);
    }
  }

  #fail(kind: Failure['kind'], id: string, name: string, state: State): void {
    const { mask, cwd, write } = this.#options;
    const failure: Failure = { kind, name, state, where: findUserFrame(this.#stacks.get(id), cwd) };
    this.#failures.push(failure);
    if (this.#failures.length <= MOST_ANNOTATIONS) {
      const message = mask(state.message ?? state.name);
      write(workflowCommand('error', message, { title: mask(`${state.name}: ${kind} '${name}'`), file: failure.where?.file, line: failure.where?.line }));
    }
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    const left = this.#failures.length - MOST_ANNOTATIONS;
    if (left > 0) {
      this.#options.write(workflowCommand('notice', `${left} more failed run(s) are not annotated (GitHub shows ${MOST_ANNOTATIONS} per step); the log has them all.`));
    }
    if (this.#options.summaryPath !== undefined && this.#top !== undefined) {
      appendFileSync(this.#options.summaryPath, this.#summary(this.#top));
    }
  }

  #summary({ run, start, state }: TopRun): string {
    const { mask } = this.#options;
    const counts = new Map<string, number>();
    for (const taskState of this.#taskStates.values()) {
      counts.set(taskState.name, (counts.get(taskState.name) ?? 0) + 1);
    }
    const duration = start === undefined || !hasRunEnded(state) ? '-' : `${((state.timestamp - start) / 1000).toFixed(2)} s`;
    const lines = [
      `### Flow run '${markdownText(mask(run.name))}' of flow '${markdownText(run.flowName)}': ${state.name}`,
      '',
      '| | |',
      '| --- | --- |',
      `| Final state | ${markdownText(mask(formatState(state)))} |`,
      `| Duration | ${duration} |`,
      `| Task runs | ${[...counts].map(([name, count]) => `${count} ${name}`).join(', ') || 'none'} |`,
      '',
    ];
    if (this.#failures.length > 0) {
      lines.push('#### Failures', '');
      for (const failure of this.#failures) {
        const where = failure.where === undefined ? '' : ` (${failure.where.file}:${failure.where.line})`;
        lines.push(`- ${failure.kind} \`${mask(failure.name)}\`, ${failure.state.name}: ${markdownText(mask(failure.state.message ?? ''))}${markdownText(where)}`);
      }
      lines.push('');
    }
    return `${lines.join('\n')}\n`;
  }
}
