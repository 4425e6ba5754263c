// Every error flowrun raises on purpose. The CLI tells them apart by class and
// `code`, never by message text: a UsageError is one line and exit status 2;
// a run outcome (FailedRunError...) is what a failed future throws.

export class FlowrunError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
FlowrunError.prototype.name = 'FlowrunError';

// Bad input from the person running `flow`: exit status 2, one line, no stack.
export class UsageError extends FlowrunError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'FLOWRUN_USAGE', message, options);
  }
}
UsageError.prototype.name = 'UsageError';

export class UnknownFlowError extends UsageError {
  constructor(message: string) {
    super(message, { code: 'FLOWRUN_UNKNOWN_FLOW' });
  }
}
UnknownFlowError.prototype.name = 'UnknownFlowError';

export class FlowLoadError extends UsageError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'FLOWRUN_FLOW_LOAD', cause });
  }
}
FlowLoadError.prototype.name = 'FlowLoadError';

export class ParameterError extends UsageError {
  constructor(message: string) {
    super(message, { code: 'FLOWRUN_PARAMETER' });
  }
}
ParameterError.prototype.name = 'ParameterError';

export class ConfigError extends UsageError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'FLOWRUN_CONFIG', cause });
  }
}
ConfigError.prototype.name = 'ConfigError';

// Reading the run context (getRunLogger(), .submit()) outside a flow or task run.
export class MissingContextError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_MISSING_CONTEXT', message);
  }
}
MissingContextError.prototype.name = 'MissingContextError';

// A task's inputs included a future that did not complete (Prefect's UpstreamTaskError).
export class UpstreamTaskError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_UPSTREAM', message);
  }
}
UpstreamTaskError.prototype.name = 'UpstreamTaskError';

// The result of a run that ended without one: crashed, cancelled or not final.
export class CrashedRunError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_CRASHED_RUN', message);
  }
}
CrashedRunError.prototype.name = 'CrashedRunError';

export class CancelledRunError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_CANCELLED_RUN', message);
  }
}
CancelledRunError.prototype.name = 'CancelledRunError';

export class FailedRunError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_FAILED_RUN', message);
  }
}
FailedRunError.prototype.name = 'FailedRunError';

// Code that went on after its run ended (a task past its timeout, work left
// running after a flow returned) tried to start a run: it is refused.
export class FinishedRunError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_FINISHED_RUN', message);
  }
}
FinishedRunError.prototype.name = 'FinishedRunError';

export class UnfinishedRunError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_UNFINISHED_RUN', message);
  }
}
UnfinishedRunError.prototype.name = 'UnfinishedRunError';

/** A shell command that exited non-zero, was killed, or could not start. */
export class ShellCommandError extends FlowrunError {
  readonly exitCode: number | undefined;
  readonly stderrTail: readonly string[];

  constructor(message: string, exitCode: number | undefined, stderrTail: readonly string[]) {
    super('FLOWRUN_SHELL_COMMAND', message);
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}
ShellCommandError.prototype.name = 'ShellCommandError';

export const isUsageError = (error: unknown): error is UsageError => error instanceof UsageError;

// Every class above, for the parallel runner: an error thrown on a worker
// thread comes back to the main thread as an instance of its own class.
export const FLOWRUN_ERROR_CLASSES: readonly (new (...args: never[]) => FlowrunError)[] = [
  FlowrunError,
  UsageError,
  UnknownFlowError,
  FlowLoadError,
  ParameterError,
  ConfigError,
  MissingContextError,
  UpstreamTaskError,
  CrashedRunError,
  CancelledRunError,
  FailedRunError,
  UnfinishedRunError,
  ShellCommandError,
];
