import { formatExceptionWithStack } from '../../states/from-outcome.js';
import { LOG_LEVELS } from '../../logging/levels.js';
import type { RunReporter } from '../../logging/reporter.js';
import { redactParameters, secretParameterNames } from '../../settings/secret.js';

// The sinks of a `flow run`'s record stream: the console (text or JSON
// lines), the run history, the JUnit report, GitHub Actions' annotations. Only the console is sure to be
// there; the others, when they cannot do their work, say so once through it
// and the run goes on without them.

export interface SinkSettings {
  /** Where the history is, and what it records of the flow; undefined when it is off. */
  readonly history: { readonly storeDir: string; readonly flowFile: string; readonly flowExport: string } | undefined;
  /** Absolute. */
  readonly junitPath: string | undefined;
  /** Absolute: where the run's HTML report goes when it ends (needs the history). */
  readonly reportPath: string | undefined;
  /** Under GitHub Actions: where annotations go, and the step summary file. */
  readonly github: { readonly write: (line: string) => void; readonly summaryPath: string | undefined } | undefined;
  readonly mask: (text: string) => string;
  readonly cwd: string;
  /** Writes a WARNING line once the console has closed. */
  readonly warnAfterClose: (text: string) => void;
}

export interface Sinks {
  readonly events: RunReporter;
  /** Whether the history records this run (and keeps its task runs' results for a retry). */
  readonly recording: boolean;
}

export const openSinks = async (console: RunReporter, settings: SinkSettings): Promise<Sinks> => {
  const warn = (logger: string, text: string): void =>
    console.log({ kind: 'message', time: Date.now(), level: LOG_LEVELS.WARNING, source: { kind: 'logger', name: logger }, text });
  const recorder = settings.history === undefined ? undefined : await startHistory(settings.history, console, settings, (text) => warn('flowrun.history', text));
  let junit: RunReporter | undefined;
  if (settings.junitPath !== undefined) {
    const { JUnitReporter } = await import('../../reports/junit-reporter.js');
    junit = new JUnitReporter(settings.junitPath, settings.mask);
  }
  let github: RunReporter | undefined;
  if (settings.github !== undefined) {
    const { GitHubActionsReporter } = await import('../../reports/github-actions-reporter.js');
    github = new GitHubActionsReporter({ ...settings.github, cwd: settings.cwd, mask: settings.mask });
  }
  let report: RunReporter | undefined;
  if (settings.reportPath !== undefined && recorder !== undefined && settings.history !== undefined) {
    const { RunReportSink } = await import('../../reports/report-sink.js');
    // Its warning goes straight to the console's stream: the console has closed by then.
    report = new RunReportSink(settings.reportPath, settings.history.storeDir, settings.warnAfterClose);
  } else if (settings.reportPath !== undefined) {
    warn('flowrun.report', `The run report ${settings.reportPath} is not written: the run history, which it is made from, cannot record this run.`);
  }
  if (recorder === undefined && junit === undefined && github === undefined) {
    return { events: console, recording: false };
  }
  const { RunEventStream } = await import('../../logging/event-stream.js');
  // The JUnit report comes first: it is written when the stream closes, and
  // a failure to write it is said while the console is still open. The HTML
  // report comes last: it is made from what the recorder has written.
  const sinks = [junit, github, console, recorder, report].filter((sink): sink is RunReporter => sink !== undefined);
  const events = new RunEventStream(sinks, (sink, error) => {
    const problem = formatExceptionWithStack(error).split('\n')[0] ?? '';
    if (sink === recorder) {
      warn('flowrun.history', `The run history stopped recording: ${problem}; the rest of this run is not recorded.`);
    } else if (sink === junit) {
      warn('flowrun.junit', `The JUnit report ${settings.junitPath ?? ''} could not be written: ${problem}.`);
    } else if (sink === github) {
      warn('flowrun.github', `The GitHub Actions summary ${settings.github?.summaryPath ?? ''} could not be written: ${problem}.`);
    }
  });
  return { events, recording: recorder !== undefined };
};

const startHistory = async (
  history: NonNullable<SinkSettings['history']>,
  console: RunReporter,
  { mask, cwd }: SinkSettings,
  warn: (text: string) => void,
): Promise<RunReporter | undefined> => {
  const { startRecording } = await import('../../history/start-recording.js');
  return startRecording({
    storeDir: history.storeDir,
    level: console.level,
    flowFile: history.flowFile,
    flowExport: history.flowExport,
    describeParameters: (run) => ({
      parameters: redactParameters(run.parametersSchema, run.parameters),
      secretNames: [...secretParameterNames(run.parametersSchema)],
    }),
    mask,
    warn,
    cwd,
  });
};
