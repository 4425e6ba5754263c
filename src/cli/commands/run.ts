import { resolve as resolvePath } from 'node:path';
import { cancelActiveRunsWithHooks, crashActiveRuns } from '../../engine/cancellation.js';
import { killAllProcessGroups } from '../../shell/process-registry.js';
import { setRuntime } from '../../engine/runtime.js';
import { setTaskKeyRoot } from '../../tasks/task-key.js';
import { findFlowFile, loadFlow } from '../../flows/load.js';
import { BatchedLines } from '../../logging/batched-lines.js';
import { ConsoleReporter } from '../../logging/console-reporter.js';
import { JsonLinesReporter } from '../../logging/json-lines-reporter.js';
import { formatLine } from '../../logging/console-format.js';
import { LOG_LEVELS } from '../../logging/levels.js';
import { discardPrestartedPool, isPrestartedFor, prestartWorkerPool } from '../../runners/parallel/prestarted-pool.js';
import { ParallelTaskRunner } from '../../runners/parallel/parallel-runner.js';
import { DistributedTaskRunner } from '../../runners/distributed/distributed-runner.js';
import { chooseRunner } from '../../runners/choose-runner.js';
import type { TaskRunner } from '../../runners/task-runner.js';
import type { FlowOptions } from '../../flows/options.js';
import { formatExceptionWithStack, type TerminationSignal } from '../../states/from-outcome.js';
import { loadProject } from '../../settings/project.js';
import { describeProjectRoot, flowsDirFromCwd, resolveInProject } from '../../settings/project-root.js';
import { collectParameterInputs } from '../../settings/parameter-sources.js';
import { validateParameters } from '../../settings/params.js';
import { createSecretMasker, secretParameterNames } from '../../settings/secret.js';
import { resolveSettings, toLogLevel, type ResolvedSettings } from '../../settings/resolve.js';
import { asksForPlainText, chooseColourLevel, createStyles } from '../colour.js';
import { EXIT_CODES, exitCodeForState, SIGNAL_EXIT_CODES } from '../exit-codes.js';
import { flushStdio } from '../flush-stdio.js';
import type { CliWorld } from '../world.js';
import { retryParameterInputs, type RetryPlan } from './retry-plan.js';
import { openSinks } from './run-sinks.js';
import { holdOverlapLock } from './overlap.js';
import { UsageError } from '../../errors.js';
import { awaitExitWork } from '../../util/exit-work.js';

type FlowDefinitionRunner = FlowOptions['taskRunner'];

export interface RunCommandOptions {
  readonly param: readonly string[];
  readonly params?: string;
  readonly runner?: string;
  readonly workers?: string;
  /** --redis and --queue: the distributed runner's server and queue. */
  readonly redis?: string;
  readonly queue?: string;
  readonly logLevel?: string;
  readonly config?: string;
  readonly color: boolean;
  /** False with --no-history. */
  readonly history: boolean;
  readonly debug?: boolean;
  /** --log-format: text (the default) or json. */
  readonly logFormat?: string;
  /** --overlap: allow, skip or wait while a run of the same flow is going. */
  readonly overlap?: string;
  /** --timeout: seconds the whole run may take. */
  readonly timeout?: string;
  /** --junit: where to write the JUnit report when the run ends. */
  readonly junit?: string;
  /** --report: where to write the run's HTML report when it ends (from the history). */
  readonly report?: string;
  /** --dry-run: print what the run would be, and run nothing. */
  readonly dryRun?: boolean;
  /** `flow runs retry`: the run is the next attempt of a recorded one. */
  readonly retry?: RetryPlan;
}

// The flow's own taskRunner counts below flags, env and its config entry; an
// instance (new SequentialTaskRunner()) is used as given when it wins.
const chooseFlowRunner = (settings: ResolvedSettings, flowName: string, flowRunner: FlowDefinitionRunner): { runner: TaskRunner; source: string } => {
  const source = settings.sources.runner;
  const given = { runner: settings.values.runner, source: source.label };
  const overrides = source.kind === 'flag' || source.kind === 'env' || source.kind === 'config-flow';
  const runner = chooseRunner({ override: overrides ? given : undefined, flowRunner, flowName, fallback: given, settings: { workers: settings.values.workers, redis: settings.values.redis, queue: settings.values.queue } });
  return { runner, source: source.label };
};

const signalsHandled: readonly TerminationSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

// A signal marks every live run Cancelled, ends the shell commands the tasks
// started, gives the flows' onCancellation hooks a moment, and exits 128 +
// its number; a second signal exits at once.
const HOOKS_GRACE_MS = 3_000;
const STDIO_FLUSH_ON_SIGNAL_MS = 500;
// A distributed run's withdrawal of its jobs (API.md section 7: within 5 s).
const EXIT_WORK_MS = 4_000;

interface SignalHandling {
  /** A signal came: the CLI is on its way out and must not exit otherwise. */
  readonly received: () => boolean;
  readonly remove: () => void;
}

const installSignalHandlers = (onFirst: () => void): SignalHandling => {
  let received = false;
  const handler = (signal: TerminationSignal): void => {
    if (received) {
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    received = true;
    // Shell commands run in process groups of their own: end them too.
    killAllProcessGroups();
    const hooks = cancelActiveRunsWithHooks(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    let exiting = false;
    const exit = (cutOff: boolean): void => {
      if (exiting) {
        return;
      }
      exiting = true;
      if (cutOff) {
        hooks.reportCutOff(HOOKS_GRACE_MS / 1000);
      }
      onFirst();
      // The lines already written (the Cancelled states above all) should
      // reach a slow reader too, but a signal is no time to wait long.
      void Promise.all([flushStdio(STDIO_FLUSH_ON_SIGNAL_MS), awaitExitWork(EXIT_WORK_MS)]).then(() => process.exit(SIGNAL_EXIT_CODES[signal]));
    };
    setTimeout(() => exit(true), HOOKS_GRACE_MS).unref();
    void hooks.done.then(
      () => exit(false),
      () => exit(false),
    );
  };
  for (const signal of signalsHandled) {
    process.on(signal, handler);
  }
  return {
    received: () => received,
    remove: () => {
      for (const signal of signalsHandled) {
        process.off(signal, handler);
      }
    },
  };
};

/** `flow run <flow>`: returns the exit status. */
export const runCommand = async (spec: string, options: RunCommandOptions, world: CliWorld): Promise<number> => {
  // Installed first: a signal while the config or the flow's module loads
  // (before any run exists) still exits 130 or 143, quietly.
  let closeReporter = (): void => undefined;
  const signals = installSignalHandlers(() => closeReporter());
  try {
    return await loadAndRun(spec, options, world, signals, (close) => {
      closeReporter = close;
    });
  } finally {
    signals.remove();
    await discardPrestartedPool();
  }
};

const loadAndRun = async (
  spec: string,
  options: RunCommandOptions,
  world: CliWorld,
  signals: SignalHandling,
  onReporter: (close: () => void) => void,
): Promise<number> => {
  const flags = {
    runner: options.runner,
    workers: options.workers,
    redis: options.redis,
    queue: options.queue,
    logLevel: options.logLevel,
    logFormat: options.logFormat,
    timeoutSeconds: options.timeout,
    overlap: options.overlap,
    history: options.history ? undefined : 'false',
  };
  // The config file and the project root, searched from the flow file's directory when it is given by path.
  const { config, root } = await loadProject({ cwd: world.cwd, flowFile: findFlowFile(spec, world.cwd), explicitConfig: options.config });
  // Before any module defines a task, and before the workers start: they key tasks alike.
  setTaskKeyRoot(root.dir);
  const base = resolveSettings({ flags, env: world.env, config });
  if (base.values.runner === 'parallel' && options.dryRun !== true) {
    // Loaded before the flow's module (and with it the TypeScript loader):
    // every import after that costs a trip to the loader thread.
    await import('piscina');
    // The workers boot and load flowrun while this thread loads the flow's
    // module; the flow's runner claims them with its first submission.
    prestartWorkerPool({ workers: base.values.workers, memoryLimitMb: undefined });
  }
  const found = await loadFlow(spec, flowsDirFromCwd(root, base.values.flowsDir, world.cwd), world.cwd);
  const flowDef = found.flow;
  const { retry } = options;
  if (retry !== undefined && flowDef.name !== retry.flowName) {
    throw new UsageError(`${found.file}:${found.exportName} is now flow '${flowDef.name}', not '${retry.flowName}' as when ${retry.label} ran; it cannot be retried.`);
  }
  const settings = resolveSettings({
    flags,
    env: world.env,
    config,
    flowName: flowDef.name,
    flowDefinition: { runner: typeof flowDef.taskRunner === 'string' ? flowDef.taskRunner : undefined },
  });
  // Absolute, in the project root unless set absolute: cached and persisted results live here.
  const storeDir = resolveInProject(root, settings.values.storeDir);
  flowDef.check?.();
  const given = collectParameterInputs({ paramFlags: options.param, paramsJson: options.params, env: world.env, config, flowName: flowDef.name });
  const parameters = validateParameters(
    flowDef.name,
    flowDef.params,
    retry === undefined ? given : retryParameterInputs(retry, given, secretParameterNames(flowDef.params)),
  );
  const { runner, source } = chooseFlowRunner(settings, flowDef.name, flowDef.taskRunner);
  if (options.report !== undefined && !settings.values.history) {
    throw new UsageError(`--report makes the report from the run history, which is off for this run (history from ${settings.sources.history.label}).`);
  }
  if (options.dryRun === true) {
    const { describeDryRun } = await import('./dry-run.js');
    const { previewParameters } = await import('../../settings/parameter-preview.js');
    world.stdout.write(
      describeDryRun({
        found,
        configLabel: config.filepath === undefined ? undefined : config.label,
        root,
        settings,
        runner,
        runnerSource: source,
        storeDir,
        parameters: previewParameters(flowDef.name, flowDef.params, given),
      }),
    );
    return EXIT_CODES.completed;
  }
  if (!(runner instanceof ParallelTaskRunner && isPrestartedFor(runner.poolOptions))) {
    // The flow's own settings chose otherwise: the workers are not needed.
    void discardPrestartedPool();
  }
  if (runner instanceof DistributedTaskRunner) {
    // A Redis that does not answer is a setup to fix: one line, exit 2, before any run line.
    await runner.connect();
  }

  const colourInput = { flag: options.color, env: world.env, stream: world.stderr };
  const styles = await createStyles(chooseColourLevel(colourInput));
  // On a terminal the spinner owns the lines; elsewhere they are written in batches.
  const onTerminal = world.stderr.isTTY === true;
  const stream = onTerminal ? world.stderr : new BatchedLines(world.stderr, [world.stdout]);
  // What flowrun prints or keeps never shows a secret parameter's value.
  const secretNames = secretParameterNames(flowDef.params);
  const mask = createSecretMasker([...secretNames].map((name) => parameters[name]).filter((value): value is string => typeof value === 'string'));
  const junitPath = options.junit ?? (world.env['FLOW_JUNIT'] || undefined);
  const level = toLogLevel(settings.values.logLevel);
  const json = settings.values.logFormat === 'json';
  const reporter = json ? new JsonLinesReporter({ stream, level, mask }) : new ConsoleReporter({ stream, level, styles, mask });
  // --overlap: before anything is recorded, a skipped run leaves no trace but its line.
  const overlap = await holdOverlapLock(settings.values.overlap, storeDir, flowDef.name, reporter);
  if (overlap.skipped) {
    reporter.close();
    return EXIT_CODES.completed;
  }
  const { events, recording } = await openSinks(reporter, {
    history: settings.values.history ? { storeDir, flowFile: resolvePath(world.cwd, found.file), flowExport: found.exportName } : undefined,
    junitPath: junitPath === undefined ? undefined : resolvePath(world.cwd, junitPath),
    reportPath: options.report === undefined ? undefined : resolvePath(world.cwd, options.report),
    warnAfterClose: (text) =>
      world.stderr.write(`${formatLine({ kind: 'message', time: Date.now(), level: LOG_LEVELS.WARNING, source: { kind: 'logger', name: 'flowrun.report' }, text }, styles)}\n`),
    github:
      world.env['GITHUB_ACTIONS'] === 'true'
        ? { write: (line) => world.stdout.write(`${line}\n`), summaryPath: world.env['GITHUB_STEP_SUMMARY'] || undefined }
        : undefined,
    mask,
    cwd: world.cwd,
  });
  for (const warning of settings.warnings) {
    events.log({ kind: 'message', time: Date.now(), level: LOG_LEVELS.WARNING, source: { kind: 'logger', name: 'flowrun.settings' }, text: warning });
  }
  if (LOG_LEVELS.DEBUG >= events.level) {
    const debug = (text: string): void => events.log({ kind: 'message', time: Date.now(), level: LOG_LEVELS.DEBUG, source: { kind: 'logger', name: 'flowrun.settings' }, text });
    debug(`Config file: ${config.filepath === undefined ? '(none found)' : config.label}; project root ${describeProjectRoot(root)}.`);
    const workers = runner instanceof ParallelTaskRunner ? ` with ${runner.poolOptions.workers} worker threads (workers from ${settings.sources.workers.label})` : '';
    debug(`Task runner: ${runner.name}${workers}, chosen by ${source}.`);
  }
  // A terminal that reports no width (some pseudo-terminals) cannot host a
  // spinner: ora would compute an endless number of lines to clear. Nor does
  // one whose user asked for plain text, or that cannot move its cursor.
  if (reporter instanceof ConsoleReporter && onTerminal && (world.stderr.columns ?? 0) > 0 && !asksForPlainText(colourInput) && world.env['TERM'] !== 'dumb') {
    const { startSpinner } = await import('../../logging/spinner.js');
    reporter.attachSpinner(await startSpinner(world.stderr, reporter.describeCounts()));
  }
  const previous = setRuntime({ reporter: events, now: Date.now, random: Math.random });
  onReporter(() => events.close());
  // A promise a task rejected and nobody handled would end the CLI (Node's
  // default) with every run in it: log it instead, and let the runs go on.
  const onUnhandledRejection = (reason: unknown): void => {
    events.log({
      kind: 'message',
      time: Date.now(),
      level: LOG_LEVELS.ERROR,
      source: { kind: 'logger', name: 'flowrun.engine' },
      text: `A promise was rejected and nothing handled it: ${formatExceptionWithStack(reason)}`,
    });
  };
  process.on('unhandledRejection', onUnhandledRejection);
  // process.exit() in task code ends the CLI mid-run: leave a Crashed line for
  // each run it cut short, and never exit 0 with runs unfinished.
  const onExit = (code: number): void => {
    if (crashActiveRuns(`The process exited with code ${code} while the run was going (process.exit() in task code?).`) > 0) {
      events.close();
      process.exitCode = code === 0 ? EXIT_CODES.failed : code;
    }
  };
  process.on('exit', onExit);
  // Nothing left to wait for, yet runs are live: a task awaits a promise that
  // nothing will ever settle. Node would end the process here; say why.
  const onEventLoopEmpty = (): void => {
    if (crashActiveRuns('The run can never finish: it waits on a promise that nothing will ever settle (no timer, I/O or worker is left to settle it).') > 0) {
      events.close();
      void flushStdio().then(() => process.exit(EXIT_CODES.failed));
    }
  };
  process.on('beforeExit', onEventLoopEmpty);
  try {
    const outcome = await flowDef.execute(parameters, {
      runner,
      runnerSource: source,
      concurrencyLimits: settings.values.concurrencyLimits,
      storeDir,
      keepResults: recording,
      earlier: retry?.earlier,
      deadlineSeconds: settings.values.timeoutSeconds ?? undefined,
    });
    if (signals.received()) {
      // The signal handler exits (130, 143) once the onCancellation hooks are done.
      await new Promise<never>(() => undefined);
    }
    return exitCodeForState(outcome.state);
  } finally {
    process.off('unhandledRejection', onUnhandledRejection);
    process.off('exit', onExit);
    process.off('beforeExit', onEventLoopEmpty);
    events.close();
    overlap.lock?.release();
    setRuntime(previous);
  }
};
