import { hostname } from 'node:os';
import { relative } from 'node:path';
import type { FlowRun } from '../engine/runs.js';
import type { LogLevel } from '../logging/levels.js';
import { historyPath, openHistory } from './database.js';
import { HistoryRecorder, type RecordedParameters } from './recorder.js';
import { HistoryTooNewError } from './schema.js';

export interface RecordingInput {
  readonly storeDir: string;
  readonly level: LogLevel;
  readonly flowFile: string | undefined;
  readonly flowExport: string | undefined;
  readonly describeParameters: (run: FlowRun) => RecordedParameters;
  readonly mask: (text: string) => string;
  /** Says, in one line, that the history cannot be used: the run goes on unrecorded. */
  readonly warn: (text: string) => void;
  /** For naming the database in that line. */
  readonly cwd: string;
}

const describeProblem = (error: unknown): string => {
  if (error instanceof HistoryTooNewError) {
    return error.message;
  }
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  // Node's system errors begin with their code already (`ENOTDIR: not a directory, mkdir ...`); SQLite's do not (`SQLITE_CORRUPT`).
  return typeof code === 'string' && !text.startsWith(code) ? `${code}: ${text}` : text;
};

/**
 * The recorder of a `flow run`, or undefined when the history cannot be
 * opened (unwritable, corrupt, of a newer flowrun): that is said once, and
 * the run goes on unrecorded with its usual exit status.
 */
export const startRecording = (input: RecordingInput): HistoryRecorder | undefined => {
  const where = relative(input.cwd, historyPath(input.storeDir)) || historyPath(input.storeDir);
  const unusable = (error: unknown): string =>
    `The run history ${where} cannot be used (${describeProblem(error)}); this run is not recorded.`;
  try {
    const db = openHistory(input.storeDir, { create: true });
    return new HistoryRecorder({
      db,
      level: input.level,
      flowFile: input.flowFile,
      flowExport: input.flowExport,
      describeParameters: input.describeParameters,
      mask: input.mask,
      pid: process.pid,
      host: hostname(),
      onFailure: (error) => input.warn(`The run history ${where} failed (${describeProblem(error)}); the rest of this run is not recorded.`),
    });
  } catch (error) {
    input.warn(unusable(error));
    return undefined;
  }
};
