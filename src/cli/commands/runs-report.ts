import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { formatDateTime, formatDuration } from '../../history/present.js';
import { collectRunReport } from '../../reports/run-report-data.js';
import { buildRunReport } from '../../reports/run-report.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliWorld } from '../world.js';
import { requireRun, withHistory, type RunsCommonOptions } from './runs.js';

// `flow runs report <run> [-o PATH]` (API.md section 8): a flow run's page,
// one self-contained HTML file.

export interface RunsReportOptions extends RunsCommonOptions {
  readonly output?: string;
}

/** The default file: `flow-run-<name>.html`, the name made safe for any file system. */
const defaultFile = (runName: string): string => `flow-run-${runName.replace(/[^A-Za-z0-9._-]+/g, '-')}.html`;

export const runsReportCommand = async (reference: string, options: RunsReportOptions, world: CliWorld): Promise<number> =>
  withHistory(options, world, ({ db, where }) => {
    const run = requireRun(db, reference, where);
    const html = buildRunReport(collectRunReport(db, run), formatDateTime, formatDuration);
    const path = resolve(world.cwd, options.output ?? defaultFile(run.name));
    try {
      writeFileSync(path, html);
    } catch (error) {
      throw new UsageError(`cannot write the report to ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    const shown = relative(world.cwd, path) || path;
    world.stdout.write(`Wrote the report of flow run '${run.name}' to ${shown} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB): open it in a browser.\n`);
    return EXIT_CODES.completed;
  });
