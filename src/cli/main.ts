import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { ConfigCommandOptions } from './commands/config.js';
import type { GraphCommandOptions } from './commands/graph.js';
import type { LsCommandOptions } from './commands/ls.js';
import type { RunCommandOptions } from './commands/run.js';
import type { WorkerCommandOptions, WorkersCommandOptions } from './commands/worker.js';
import type { RunsLogsOptions, RunsLsOptions, RunsPruneOptions, RunsRetryOptions, RunsShowOptions } from './commands/runs.js';
import type { RunsReportOptions } from './commands/runs-report.js';
import { handleClosedPipes } from './closed-pipes.js';
import { EXIT_CODES } from './exit-codes.js';
export { flushStdio } from './flush-stdio.js';
import { getProcessWorld, type CliWorld } from './world.js';
import { PACKAGE_ROOT } from '../util/own-paths.js';
import { listRunnerChoices } from '../runners/names.js';

// The `flow` program. Only commander is imported up front: each command's
// code (and with it zod, cosmiconfig, tsx, ora, the engine) is imported when
// that command runs, so `flow --help` starts fast.

const readVersion = (): string => {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const RUN_EXAMPLES = `
Examples:
  $ flow run parallel-execution --param stop=5      a flow found by name in flowsDir
  $ flow run print-values --runner sequential       one task at a time
  $ flow run cpu-bound --runner parallel --workers 2 CPU-bound tasks on two cores
  $ flow run flows/etl.ts --params '{"day": "2026-01-31"}'
  $ flow run flows/etl.ts:nightly --log-level DEBUG a named export of a file
  $ flow run flows/etl.ts --dry-run                 what would run, and with what, without running it

Exit status: ${EXIT_CODES.completed} completed, ${EXIT_CODES.failed} failed or crashed, ${EXIT_CODES.usage} bad usage or input,
${EXIT_CODES.sigint} after SIGINT, ${EXIT_CODES.sigterm} after SIGTERM, ${EXIT_CODES.sighup} after SIGHUP.`;

const LS_EXAMPLES = `
Examples:
  $ flow ls                      the flows in flowsDir (default flows/)
  $ FLOW_FLOWS_DIR=jobs flow ls  another directory`;

const GRAPH_EXAMPLES = `
Examples:
  $ flow graph p1-flow                           the graph as text
  $ flow graph p1-flow --format mermaid          for a Markdown page
  $ flow graph p1-flow --format dot | dot -Tpng > flow.png`;

const CONFIG_EXAMPLES = `
Examples:
  $ flow config                          each setting and where it came from
  $ flow config parallel-execution       as that flow's run would see them, with its parameters
  $ FLOW_RUNNER=sequential flow config   environment variables count too`;

const WORKER_EXAMPLES = `
Examples:
  $ flow worker                                   serve queue 'flowrun' at redis://127.0.0.1:6379
  $ flow worker --redis redis://queue.internal:6379 --concurrency 8
  $ flow run etl --runner distributed --redis redis://queue.internal:6379   (elsewhere) send it task runs`;

const RUNS_EXAMPLES = `
Examples:
  $ flow runs ls                         the 15 newest flow runs
  $ flow runs ls --state failed --json   failed runs, as JSON
  $ flow runs show 3f2a                  a run by id prefix (or by name), with its task runs
  $ flow runs logs calm-sandpiper --tail 20
  $ flow runs logs 3f2a --level ERROR --task fetch
  $ flow runs retry calm-sandpiper         run a failed run again; its completed task runs are not
  $ flow runs prune --older-than 30d --dry-run`;

const PROGRAM_EXAMPLES = `
Examples:
  $ flow run parallel-execution --param stop=5
  $ flow ls
  $ flow graph p1-flow
  $ flow config
  $ flow runs ls
  $ flow run --help`;

export interface MainOptions {
  readonly world?: CliWorld;
}

export const createProgram = (world: CliWorld, setExitCode: (code: number) => void): Command => {
  const program = new Command('flow')
    .description('Run TypeScript flows of tasks from the command line, Prefect style.')
    .version(readVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', PROGRAM_EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => world.stdout.write(text),
      writeErr: (text) => world.stderr.write(text),
      // Commander's own errors are one line, like ours: "error: unknown option '--parm' (Did you mean --param?)".
      outputError: (text, write) => {
        const line = text.trim().replace(/\s*\n\s*/g, ' ');
        write(`${line}${line.includes('Did you mean') ? '' : ' (see `flow --help`)'}\n`);
      },
    });

  const debugOption = (): Option => new Option('--debug', 'print stack traces of errors');
  const configOption = (): Option => new Option('--config <path>', 'read settings from this file instead of searching for one; its directory is the project root');
  // The options of a run, which `flow run` and `flow runs retry` share.
  const runnerOption = (): Option => new Option('--runner <name>', `task runner: ${listRunnerChoices()}`);
  const workersOption = (): Option => new Option('--workers <n>', 'worker threads of the parallel runner (default: one per core)');
  const redisOption = (): Option => new Option('--redis <url>', 'the Redis server of the distributed runner (default: redis://127.0.0.1:6379)');
  const queueOption = (): Option => new Option('--queue <name>', 'the queue of the distributed runner (default: flowrun)');
  const logLevelOption = (): Option => new Option('--log-level <level>', 'lowest log level printed: DEBUG, INFO, WARNING, ERROR, CRITICAL');
  const logFormatOption = (): Option => new Option('--log-format <format>', 'text (default), or json: one JSON object a line on stderr');
  const timeoutOption = (): Option => new Option('--timeout <seconds>', 'end the whole run TimedOut after this many seconds (exit 1)');
  const junitOption = (): Option => new Option('--junit <path>', 'write a JUnit XML report of the run there when it ends, whatever its end');
  const reportOption = (): Option => new Option('--report <path>', 'write the run as one HTML page there when it ends, whatever its end (needs the history)');

  program
    .command('run')
    .description('Run a flow: a name from flowsDir, a file path, or path:exportName.')
    .argument('<flow>', 'flow name, file path, or path:exportName')
    .option('--param <key=value>', 'set a parameter; the value is JSON if it parses, else a string (repeatable)', collect, [])
    .option('--params <json>', 'set parameters from a JSON object')
    .addOption(runnerOption())
    .addOption(workersOption())
    .addOption(redisOption())
    .addOption(queueOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addOption(timeoutOption())
    .option('--overlap <mode>', 'while a run of this flow is going: allow (default), skip (exit 0) or wait')
    .addOption(junitOption())
    .addOption(reportOption())
    .addOption(configOption())
    .option('--no-color', 'plain text even on a terminal: no colour, no spinner')
    .option('--no-history', 'do not record this run in <storeDir>/history.db')
    .option('--dry-run', 'resolve and print what the run would be (parameters, runner, project root, history), run nothing')
    .addOption(debugOption())
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (spec: string, options: RunCommandOptions) => {
      const { runCommand } = await import('./commands/run.js');
      setExitCode(await runCommand(spec, options, world));
    });

  program
    .command('ls')
    .description('List the flows found in flowsDir, with their parameters.')
    .addOption(configOption())
    .addOption(debugOption())
    .addHelpText('after', LS_EXAMPLES)
    .action(async (options: LsCommandOptions) => {
      const { lsCommand } = await import('./commands/ls.js');
      setExitCode(await lsCommand(options, world));
    });

  program
    .command('graph')
    .description('Draw a Prefect 1 style flow (new Flow(...)): its Parameters, tasks and edges.')
    .argument('<flow>', 'flow name, file path, or path:exportName')
    .addOption(new Option('--format <format>', 'text, mermaid or dot').default('text'))
    .addOption(configOption())
    .addOption(debugOption())
    .addHelpText('after', GRAPH_EXAMPLES)
    .action(async (spec: string, options: GraphCommandOptions) => {
      const { graphCommand } = await import('./commands/graph.js');
      setExitCode(await graphCommand(spec, options, world));
    });

  program
    .command('config')
    .description('Show each resolved setting and where it came from.')
    .argument('[flow]', 'resolve the settings and parameters as a run of this flow would')
    .option('--param <key=value>', 'as flow run --param (with a flow)', collect, [])
    .option('--params <json>', 'as flow run --params (with a flow)')
    .option('--runner <name>', 'as flow run --runner')
    .option('--workers <n>', 'as flow run --workers')
    .option('--log-level <level>', 'as flow run --log-level')
    .addOption(configOption())
    .addOption(debugOption())
    .addHelpText('after', CONFIG_EXAMPLES)
    .action(async (spec: string | undefined, options: ConfigCommandOptions) => {
      const { configCommand } = await import('./commands/config.js');
      setExitCode(await configCommand(spec, options, world));
    });

  program
    .command('worker')
    .description('Serve a queue of the distributed runner from this checkout of the project: run the task runs flow runs send to it.')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('--concurrency <n>', 'task runs at once, each on a thread of its own (default: one per core)')
    .addOption(configOption())
    .addOption(debugOption())
    .addHelpText('after', WORKER_EXAMPLES)
    .action(async (options: WorkerCommandOptions) => {
      const { workerCommand } = await import('./commands/worker.js');
      setExitCode(await workerCommand(options, world));
    });

  program
    .command('workers')
    .description('List the live workers of a queue of the distributed runner.')
    .addOption(redisOption())
    .addOption(queueOption())
    .option('--json', 'an array of objects: id, host, pid, queue, concurrency, running, done, lastSeen')
    .addOption(configOption())
    .addOption(debugOption())
    .action(async (options: WorkersCommandOptions) => {
      const { workersCommand } = await import('./commands/worker.js');
      setExitCode(await workersCommand(options, world));
    });

  const runs = program
    .command('runs')
    .description('The run history: every flow run, recorded in <storeDir>/history.db.')
    .addHelpText('after', RUNS_EXAMPLES);

  runs
    .command('ls', { isDefault: true })
    .description('List flow runs, newest first.')
    .option('--flow <name>', 'only the runs of this flow')
    .option('--state <state>', 'only runs in this state: a type or a name, any case (failed, TimedOut)')
    .option('--limit <n>', 'how many runs', '15')
    .option('--json', 'a JSON array on stdout')
    .addOption(configOption())
    .addOption(debugOption())
    .action(async (options: RunsLsOptions) => {
      const { runsLsCommand } = await import('./commands/runs.js');
      setExitCode(await runsLsCommand(options, world));
    });

  runs
    .command('show')
    .description('A flow run: its state, parameters, runner, process, task runs and subflow runs.')
    .argument('<run>', 'a flow run id, a unique prefix of it (4 characters or more), or a run name (the newest of that name)')
    .option('--json', 'a JSON object on stdout')
    .addOption(configOption())
    .addOption(debugOption())
    .action(async (reference: string, options: RunsShowOptions) => {
      const { runsShowCommand } = await import('./commands/runs.js');
      setExitCode(await runsShowCommand(reference, options, world));
    });

  runs
    .command('logs')
    .description("A flow run's log lines, its task runs' and subflow runs' included, as the console printed them.")
    .argument('<run>', 'a flow run id, a unique prefix of it, or a run name')
    .option('--level <level>', 'the lowest level shown: DEBUG, INFO, WARNING, ERROR, CRITICAL')
    .option('--task <name>', "only the lines of this task's runs (a task name or a task run name)")
    .option('--head <n>', 'only the first n lines')
    .option('--tail <n>', 'only the last n lines')
    .addOption(configOption())
    .addOption(debugOption())
    .action(async (reference: string, options: RunsLogsOptions) => {
      const { runsLogsCommand } = await import('./commands/runs.js');
      setExitCode(await runsLogsCommand(reference, options, world));
    });

  runs
    .command('report')
    .description('A flow run as one self-contained HTML page: its facts, a timeline of its task runs, its failures and its log lines.')
    .argument('<run>', 'a flow run id, a unique prefix of it, or a run name')
    .option('-o, --output <path>', 'where to write it (default: flow-run-<name>.html)')
    .addOption(configOption())
    .addOption(debugOption())
    .action(async (reference: string, options: RunsReportOptions) => {
      const { runsReportCommand } = await import('./commands/runs-report.js');
      setExitCode(await runsReportCommand(reference, options, world));
    });

  runs
    .command('retry')
    .description('Run a failed, crashed, cancelled or timed-out flow run again as the same run; its task runs that completed are not run again.')
    .argument('<run>', 'a flow run id, a unique prefix of it, or a run name')
    .option('--param <key=value>', 'a secret parameter, which the history did not keep (repeatable)', collect, [])
    .option('--params <json>', 'secret parameters as a JSON object')
    .addOption(runnerOption())
    .addOption(workersOption())
    .addOption(redisOption())
    .addOption(queueOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addOption(timeoutOption())
    .addOption(junitOption())
    .addOption(reportOption())
    .addOption(configOption())
    .option('--no-color', 'plain text even on a terminal: no colour, no spinner')
    .addOption(debugOption())
    .action(async (reference: string, options: RunsRetryOptions) => {
      const { runsRetryCommand } = await import('./commands/runs.js');
      setExitCode(await runsRetryCommand(reference, options, world));
    });

  runs
    .command('prune')
    .description('Delete the flow runs that finished longer ago than a duration, with all they own, and give the space back.')
    .option('--older-than <duration>', 'how long ago a run must have finished: 30d, 12h, 90m, 45s, 2w')
    .option('--dry-run', 'say what would be deleted, and delete nothing')
    .addOption(configOption())
    .addOption(debugOption())
    .action(async (options: RunsPruneOptions) => {
      const { runsPruneCommand } = await import('./commands/runs.js');
      setExitCode(await runsPruneCommand(options, world));
    });

  return program;
};

/** Runs the CLI and returns its exit status; never throws. */
export const main = async (argv: readonly string[] = process.argv, options: MainOptions = {}): Promise<number> => {
  if (options.world === undefined) {
    handleClosedPipes();
  }
  const world = options.world ?? getProcessWorld();
  let exitCode: number = EXIT_CODES.completed;
  const program = createProgram(world, (code) => (exitCode = code));
  const args = argv.slice(2);
  if (args.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_CODES.usage;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; everything else commander rejects is bad usage.
      return error.exitCode === 0 ? EXIT_CODES.completed : EXIT_CODES.usage;
    }
    const { reportError } = await import('./report-error.js');
    return reportError(error, { debug: args.includes('--debug'), stream: world.stderr });
  }
};
