import type { FoundFlow } from '../../flows/discover.js';
import { historyPath } from '../../history/database.js';
import type { ParameterPreview } from '../../settings/parameter-preview.js';
import { describeProjectRoot, type ProjectRoot } from '../../settings/project-root.js';
import type { ResolvedSettings } from '../../settings/resolve.js';
import type { TaskRunner } from '../../runners/task-runner.js';
import { ParallelTaskRunner } from '../../runners/parallel/parallel-runner.js';
import { DistributedTaskRunner } from '../../runners/distributed/distributed-runner.js';
import { describeRedisUrl } from '../../runners/distributed/redis-connection.js';
import { formatSettingLines, parameterLines, type SettingLine } from './setting-lines.js';

// `flow run --dry-run`: what a run would be, resolved exactly as a real run
// resolves it (bad input has already failed, exit 2, as it would), and
// nothing run, written or recorded. For the crontab line or CI step that
// must be right before it is trusted.

export interface DryRunInput {
  readonly found: FoundFlow;
  readonly configLabel: string | undefined;
  readonly root: ProjectRoot;
  readonly settings: ResolvedSettings;
  readonly runner: TaskRunner;
  readonly runnerSource: string;
  readonly storeDir: string;
  readonly parameters: readonly ParameterPreview[];
}

export const describeDryRun = ({ found, configLabel, root, settings, runner, runnerSource, storeDir, parameters }: DryRunInput): string => {
  const { values, sources } = settings;
  const from = (key: keyof typeof sources): string => `(from ${sources[key].label})`;
  const workers =
    runner instanceof ParallelTaskRunner
      ? `${runner.poolOptions.workers} ${from('workers')}`
      : `${values.workers} ${from('workers')}; only the parallel runner has workers`;
  const lines: SettingLine[] = [
    { key: 'config file', text: configLabel ?? '(none found)' },
    { key: 'project root', text: describeProjectRoot(root) },
    { key: 'runner', text: `${runner.name} (from ${runnerSource})` },
    { key: 'workers', text: workers },
    // Where a distributed run's task runs would go (its password hidden).
    ...(runner instanceof DistributedTaskRunner
      ? [
          { key: 'redis', text: `${describeRedisUrl(runner.redisUrl)} ${from('redis')}` },
          { key: 'queue', text: `${runner.queueName} ${from('queue')}` },
        ]
      : []),
    { key: 'log level', text: `${values.logLevel} ${from('logLevel')}` },
    { key: 'overlap', text: `${values.overlap} ${from('overlap')}` },
    { key: 'timeout', text: values.timeoutSeconds === null ? `none ${from('timeoutSeconds')}` : `${values.timeoutSeconds} s ${from('timeoutSeconds')}` },
    { key: 'store', text: `${storeDir} ${from('storeDir')}` },
    { key: 'history', text: values.history ? `${historyPath(storeDir)} ${from('history')}` : `off ${from('history')}` },
    ...parameterLines(found.flow.name, parameters),
  ];
  return formatSettingLines(`Dry run of flow '${found.flow.name}' (${found.file}:${found.exportName}): nothing is run or recorded.`, lines);
};
