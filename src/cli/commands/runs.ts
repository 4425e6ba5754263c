import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { relative } from 'node:path';
import { UsageError } from '../../errors.js';
import { formatLine } from '../../logging/console-format.js';
import { LOG_LEVEL_NAMES, type LogLevel } from '../../logging/levels.js';
import { PLAIN_STYLES } from '../../logging/styles.js';
import { endRunsOfDeadProcesses } from '../../history/crash-detection.js';
import { historyPath, openHistory, type HistoryDatabase } from '../../history/database.js';
import { describeState, flowRunJson, formatRunDetails, formatRunList, taskRunJson } from '../../history/present.js';
import { findFlowRun, listFlowRuns, logRecordsOf, MIN_PREFIX, subflowRunsOf, suggestFlowRuns, taskRunsOf, type FlowRunRow } from '../../history/queries.js';
import { countPrunable, parseDuration, prune, type PruneCount } from '../../history/prune.js';
import { HistoryTooNewError } from '../../history/schema.js';
import { loadEarlierAttempt } from '../../history/earlier-attempt.js';
import type { RetryPlan } from './retry-plan.js';
import { loadProject } from '../../settings/project.js';
import { resolveInProject } from '../../settings/project-root.js';
import { resolveSettings, toLogLevel } from '../../settings/resolve.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliWorld } from '../world.js';

// `flow runs ls | show | logs`: what the history (API.md section 5) holds,
// read from `<storeDir>/history.db`. Every command first ends Crashed the
// runs whose process died without finishing them.

export interface RunsCommonOptions {
  readonly config?: string;
}

export interface RunsLsOptions extends RunsCommonOptions {
  readonly flow?: string;
  readonly state?: string;
  readonly limit: string;
  readonly json?: boolean;
}

export interface RunsShowOptions extends RunsCommonOptions {
  readonly json?: boolean;
}

export interface RunsPruneOptions extends RunsCommonOptions {
  readonly olderThan?: string;
  readonly dryRun?: boolean;
}

export interface RunsRetryOptions extends RunsCommonOptions {
  readonly param: readonly string[];
  readonly params?: string;
  readonly runner?: string;
  readonly workers?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly timeout?: string;
  readonly junit?: string;
  readonly report?: string;
  readonly color: boolean;
  readonly debug?: boolean;
}

export interface RunsLogsOptions extends RunsCommonOptions {
  readonly level?: string;
  readonly task?: string;
  readonly head?: string;
  readonly tail?: string;
}

interface OpenedHistory {
  readonly db: HistoryDatabase;
  readonly where: string;
  /** Absolute. */
  readonly storeDir: string;
}

// The history of the project, or undefined (said on stdout) when no run has
// been recorded yet: that is no error, and exits 0.
const openProjectHistory = async (options: RunsCommonOptions, world: CliWorld): Promise<OpenedHistory | undefined> => {
  // The project's history: storeDir is in the project root (API.md section 5).
  const { config, root } = await loadProject({ cwd: world.cwd, explicitConfig: options.config });
  const settings = resolveSettings({ env: world.env, config });
  const storeDir = resolveInProject(root, settings.values.storeDir);
  const where = relative(world.cwd, historyPath(storeDir)) || historyPath(storeDir);
  let db: HistoryDatabase | undefined;
  try {
    db = openHistory(storeDir, { create: false });
  } catch (error) {
    if (error instanceof HistoryTooNewError) {
      throw new UsageError(`the run history ${where} was not read: ${error.message}; use that flowrun to read it.`);
    }
    throw new UsageError(`the run history ${where} cannot be read: ${(error as Error).message}.`);
  }
  if (db === undefined) {
    world.stdout.write(`No runs recorded yet: ${where} does not exist (flow run records every run there).\n`);
    return undefined;
  }
  endRunsOfDeadProcesses(db, hostname());
  return { db, where, storeDir };
};

export const withHistory = async (options: RunsCommonOptions, world: CliWorld, use: (history: OpenedHistory) => number): Promise<number> => {
  const history = await openProjectHistory(options, world);
  if (history === undefined) {
    return EXIT_CODES.completed;
  }
  try {
    return use(history);
  } finally {
    history.db.close();
  }
};

const parseCount = (text: string, flag: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(text)}.`);
  }
  return value;
};

const parseLevel = (text: string | undefined): LogLevel | undefined => {
  if (text === undefined) {
    return undefined;
  }
  if (!(LOG_LEVEL_NAMES as readonly string[]).includes(text.toUpperCase())) {
    throw new UsageError(`--level must be one of ${LOG_LEVEL_NAMES.join(', ')}, got ${JSON.stringify(text)}.`);
  }
  return toLogLevel(text);
};

// A run by id, unique id prefix or name; no match or several: one line, exit 2.
export const requireRun = (db: HistoryDatabase, reference: string, where: string): FlowRunRow => {
  const lookup = findFlowRun(db, reference);
  if (lookup.kind === 'found') {
    return lookup.run;
  }
  const describe = (run: FlowRunRow): string => `${run.id.slice(0, 8)} '${run.name}' (${run.flowName})`;
  if (lookup.kind === 'ambiguous') {
    throw new UsageError(
      `run '${reference}' is ambiguous in ${where}: it begins the ids of ${lookup.candidates.map(describe).join(', ')}; give more of the id.`,
    );
  }
  const near = suggestFlowRuns(db, reference);
  const hint = near.length > 0 ? `; did you mean ${near.map(describe).join(', ')}?` : `; \`flow runs ls\` lists them.`;
  const form = reference.length < MIN_PREFIX ? ` (an id prefix needs ${MIN_PREFIX} characters or more)` : '';
  throw new UsageError(`no flow run '${reference}' in ${where}${form}${hint}`);
};

export const runsLsCommand = async (options: RunsLsOptions, world: CliWorld): Promise<number> =>
  withHistory(options, world, ({ db, where }) => {
    const runs = listFlowRuns(db, { flow: options.flow, state: options.state, limit: parseCount(options.limit, '--limit') });
    if (options.json === true) {
      world.stdout.write(`${JSON.stringify(runs.map(flowRunJson), null, 2)}\n`);
    } else if (runs.length === 0) {
      const filtered = options.flow !== undefined || options.state !== undefined;
      world.stdout.write(filtered ? `No flow runs in ${where} match.\n` : `No flow runs in ${where} yet.\n`);
    } else {
      world.stdout.write(formatRunList(runs));
    }
    return EXIT_CODES.completed;
  });

export const runsShowCommand = async (reference: string, options: RunsShowOptions, world: CliWorld): Promise<number> =>
  withHistory(options, world, ({ db, where }) => {
    const run = requireRun(db, reference, where);
    const taskRuns = taskRunsOf(db, [run.seq]);
    const subflowRuns = subflowRunsOf(db, run.seq).filter((subflow) => subflow.parentId === run.id);
    if (options.json === true) {
      const json = { ...flowRunJson(run), taskRuns: taskRuns.map(taskRunJson), subflowRuns: subflowRuns.map((subflow) => subflow.id) };
      world.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      world.stdout.write(formatRunDetails(run, taskRuns, subflowRuns));
    }
    return EXIT_CODES.completed;
  });

export const runsLogsCommand = async (reference: string, options: RunsLogsOptions, world: CliWorld): Promise<number> =>
  withHistory(options, world, ({ db, where }) => {
    if (options.head !== undefined && options.tail !== undefined) {
      throw new UsageError('give --head or --tail, not both.');
    }
    const level = parseLevel(options.level);
    const head = options.head === undefined ? undefined : parseCount(options.head, '--head');
    const tail = options.tail === undefined ? undefined : parseCount(options.tail, '--tail');
    const run = requireRun(db, reference, where);
    const runs = [run, ...subflowRunsOf(db, run.seq)];
    let records = logRecordsOf(db, runs, { level: level ?? (0 as LogLevel), task: options.task });
    if (head !== undefined) {
      records = records.slice(0, head);
    } else if (tail !== undefined) {
      records = records.slice(-tail);
    }
    world.stdout.write(records.map((record) => `${formatLine(record, PLAIN_STYLES)}\n`).join(''));
    return EXIT_CODES.completed;
  });

const plural = (count: number, word: string): string => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

const describeCount = (count: PruneCount): string =>
  `${plural(count.flowRuns, 'flow run')} (with ${plural(count.subflowRuns, 'subflow run')} and ${plural(count.taskRuns, 'task run')})`;

const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;

export const runsPruneCommand = async (options: RunsPruneOptions, world: CliWorld): Promise<number> => {
  if (options.olderThan === undefined) {
    throw new UsageError('flow runs prune needs --older-than DURATION (e.g. 30d, 12h, 90m): which finished runs to delete.');
  }
  const age = parseDuration(options.olderThan);
  if (age === undefined) {
    throw new UsageError(`--older-than must be a duration such as 30d, 12h, 90m or 45s, got ${JSON.stringify(options.olderThan)}.`);
  }
  return withHistory(options, world, ({ db, where, storeDir }) => {
    const cutoff = Date.now() - age;
    const since = `finished more than ${options.olderThan ?? ''} ago`;
    if (options.dryRun === true) {
      world.stdout.write(`Would delete ${describeCount(countPrunable(db, cutoff))} ${since} from ${where}.\n`);
      return EXIT_CODES.completed;
    }
    const size = (): number => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    const before = size();
    const count = prune(db, storeDir, cutoff);
    world.stdout.write(`Deleted ${describeCount(count)} ${since} from ${where} (${megabytes(before)} -> ${megabytes(size())}).\n`);
    return EXIT_CODES.completed;
  });
};

// The states a run may be retried from: it ended without completing.
const RETRYABLE_TYPES: ReadonlySet<string> = new Set(['FAILED', 'CRASHED', 'CANCELLED']);

const describeRun = (run: FlowRunRow): string => `flow run '${run.name}' (${run.id.slice(0, 8)})`;

// Why a recorded run cannot be retried, or undefined when it can.
const whyNotRetryable = (run: FlowRunRow): string | undefined => {
  if (run.parentId !== undefined) {
    return `${describeRun(run)} is a subflow run; retry its top-level run, which runs it again`;
  }
  if (run.endTime === undefined) {
    return `${describeRun(run)} is still ${run.state.name} (process ${run.pid} on ${run.host}); wait for it to end`;
  }
  if (!RETRYABLE_TYPES.has(run.state.type)) {
    return `${describeRun(run)} finished in state ${describeState(run.state)}; only a run that failed, crashed, timed out or was cancelled can be retried`;
  }
  if (run.flowFile === undefined || run.flowExport === undefined) {
    return `${describeRun(run)} was not recorded with its flow's file`;
  }
  if (!existsSync(run.flowFile)) {
    return `${describeRun(run)} was of ${run.flowFile}, which no longer exists`;
  }
  return undefined;
};

/**
 * `flow runs retry <run>`: the run again, as the same flow run (same id and
 * name, run count + 1), with its recorded parameters; its task runs that
 * completed with the same inputs give their kept results without running.
 * Output and exit status are those of `flow run`.
 */
export const runsRetryCommand = async (reference: string, options: RunsRetryOptions, world: CliWorld): Promise<number> => {
  let plan: RetryPlan | undefined;
  let flowSpec = '';
  const found = await withHistory(options, world, ({ db, where, storeDir }) => {
    const run = requireRun(db, reference, where);
    const why = whyNotRetryable(run);
    if (why !== undefined) {
      throw new UsageError(`${why}.`);
    }
    flowSpec = `${run.flowFile ?? ''}:${run.flowExport ?? ''}`;
    plan = {
      earlier: loadEarlierAttempt(db, storeDir, run),
      flowName: run.flowName,
      parameters: run.parameters,
      secretNames: run.secretNames,
      label: describeRun(run),
    };
    return EXIT_CODES.completed;
  });
  if (plan === undefined) {
    return found;
  }
  const { runCommand } = await import('./run.js');
  return runCommand(flowSpec, { ...options, history: true, retry: plan }, world);
};
