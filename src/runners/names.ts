// The one list of task runners' names: what `--runner`, FLOW_RUNNER, the
// config file and a flow's taskRunner option take. The settings schema, the
// help text and the runners each name makes (choose-runner.ts, which must
// cover every one of them to compile) all come from here. It imports
// nothing, so that `flow --help` can name the runners without loading them.

export const RUNNER_NAMES = ['sequential', 'concurrent', 'parallel', 'distributed'] as const;

export type RunnerName = (typeof RUNNER_NAMES)[number];

/** The runner of a flow run that no setting and no flow option chose. */
export const DEFAULT_RUNNER: RunnerName = 'concurrent';

/** `'sequential', 'concurrent', 'parallel', 'distributed'`, for messages. */
export const quoteRunnerNames = (): string => RUNNER_NAMES.map((name) => `'${name}'`).join(', ');

/** `sequential, concurrent (default), parallel or distributed`, for help texts. */
export const listRunnerChoices = (): string => {
  const names = RUNNER_NAMES.map((name) => (name === DEFAULT_RUNNER ? `${name} (default)` : name));
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
};
