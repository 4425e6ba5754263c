import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { LOG_LEVEL_NAMES } from '../logging/levels.js';
import { DEFAULT_QUEUE, DEFAULT_REDIS_URL, QUEUE_NAME_PATTERN, REDIS_URL_PATTERN } from '../runners/distributed/defaults.js';
import { DEFAULT_RUNNER, quoteRunnerNames, RUNNER_NAMES, type RunnerName } from '../runners/names.js';

// The one description of every setting. The config file's validation, the
// FLOW_* variable names, the CLI flags, `flow config` and .flowrc.example
// (checked by a test) all come from this table.

export interface SettingDescriptor<T> {
  readonly schema: z.ZodType<T>;
  /** What a wrong value should have been, in words: "a positive integer". */
  readonly expected: string;
  readonly description: string;
  readonly defaultValue: () => T;
  /**
   * The default in words when it is computed where flowrun runs (the core
   * count): .flowrc.example states it in a comment, with the key commented
   * out, rather than write a value that is the default on one machine only.
   */
  readonly computedDefault?: string;
  /** The command-line flag that sets it, or null when only files and env do. */
  readonly flag: string | null;
  /** May be set per flow under `flows.<name>`. */
  readonly perFlow: boolean;
  /** The environment variable, when it is not the one derived from the key. */
  readonly envName?: string;
}

const logLevel = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(z.enum(LOG_LEVEL_NAMES as [string, ...string[]]));

const jsonObject = z.record(z.string(), z.unknown());

export const SETTINGS = {
  flowsDir: {
    schema: z.string().min(1),
    expected: 'a directory path',
    description: 'Where `flow run <name>` and `flow ls` look for flow modules, relative to the project root.',
    defaultValue: () => 'flows',
    flag: null,
    perFlow: false,
  } satisfies SettingDescriptor<string>,
  runner: {
    schema: z.enum(RUNNER_NAMES),
    expected: `one of ${quoteRunnerNames()}`,
    description: 'The task runner: one task at a time, overlapping on the event loop, on worker threads, or on `flow worker` processes through Redis.',
    defaultValue: () => DEFAULT_RUNNER,
    flag: '--runner',
    perFlow: true,
  } satisfies SettingDescriptor<RunnerName>,
  workers: {
    schema: z.number().int().positive(),
    expected: 'a positive integer',
    description: "Worker threads of the parallel runner. Default: the machine's available parallelism.",
    defaultValue: () => availableParallelism(),
    computedDefault: "the machine's available parallelism",
    flag: '--workers',
    perFlow: true,
  } satisfies SettingDescriptor<number>,
  redis: {
    schema: z.string().regex(REDIS_URL_PATTERN),
    expected: 'a Redis URL (redis://host:port or rediss://...)',
    description: 'The Redis server of the distributed runner and of `flow worker`.',
    defaultValue: () => DEFAULT_REDIS_URL,
    flag: '--redis',
    perFlow: true,
    envName: 'FLOW_REDIS_URL',
  } satisfies SettingDescriptor<string>,
  queue: {
    schema: z.string().regex(QUEUE_NAME_PATTERN),
    expected: 'a queue name of letters, digits, _, . and -',
    description: 'The queue the distributed runner sends task runs to and `flow worker` serves.',
    defaultValue: () => DEFAULT_QUEUE,
    flag: '--queue',
    perFlow: true,
  } satisfies SettingDescriptor<string>,
  logLevel: {
    schema: logLevel,
    expected: `one of ${LOG_LEVEL_NAMES.map((name) => `'${name}'`).join(', ')}`,
    description: 'The lowest level of log line printed.',
    defaultValue: () => 'INFO',
    flag: '--log-level',
    perFlow: true,
  } satisfies SettingDescriptor<string>,
  logFormat: {
    schema: z.enum(['text', 'json']),
    expected: "'text' or 'json'",
    description: 'How log lines are written: text for people, or one JSON object a line for log collectors and CI.',
    defaultValue: () => 'text',
    flag: '--log-format',
    perFlow: false,
  } satisfies SettingDescriptor<'text' | 'json'>,
  timeoutSeconds: {
    schema: z.number().positive().nullable(),
    expected: 'a positive number of seconds, or null for none',
    description: 'A deadline for the whole flow run: past it the run ends TimedOut, its task runs cancelled, exit 1.',
    defaultValue: () => null,
    flag: '--timeout',
    perFlow: true,
    envName: 'FLOW_TIMEOUT',
  } satisfies SettingDescriptor<number | null>,
  overlap: {
    schema: z.enum(['allow', 'skip', 'wait']),
    expected: "'allow', 'skip' or 'wait'",
    description: 'While a run of the same flow of this project is going: start anyway, skip this run (exit 0), or wait for it to end.',
    defaultValue: () => 'allow',
    flag: '--overlap',
    perFlow: true,
  } satisfies SettingDescriptor<'allow' | 'skip' | 'wait'>,
  params: {
    schema: jsonObject,
    expected: 'an object of parameter values',
    description: 'Parameter defaults for every flow (a flow ignores those it does not take).',
    defaultValue: () => ({}),
    flag: null,
    perFlow: true,
  } satisfies SettingDescriptor<Record<string, unknown>>,
  concurrencyLimits: {
    schema: z.record(z.string(), z.number().int().positive()),
    expected: 'an object of tag names to positive integers',
    description: 'The most task runs with a given tag that may run at once, e.g. { "db": 2 }.',
    defaultValue: () => ({}),
    flag: null,
    perFlow: false,
  } satisfies SettingDescriptor<Record<string, number>>,
  storeDir: {
    schema: z.string().min(1),
    expected: 'a directory path',
    description: 'Where cached and persisted results are kept, relative to the project root.',
    defaultValue: () => '.flow',
    flag: null,
    perFlow: false,
  } satisfies SettingDescriptor<string>,
  history: {
    schema: z.boolean(),
    expected: 'true or false',
    description: 'Whether each run is recorded in <storeDir>/history.db, for `flow runs`.',
    defaultValue: () => true,
    flag: '--no-history',
    perFlow: false,
  } satisfies SettingDescriptor<boolean>,
} as const;

export type SettingKey = keyof typeof SETTINGS;

export type Settings = {
  readonly [K in SettingKey]: (typeof SETTINGS)[K] extends SettingDescriptor<infer T> ? T : never;
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export const PER_FLOW_KEYS = SETTING_KEYS.filter((key) => SETTINGS[key].perFlow);

/** The keys a config file may have at its top level. */
export const CONFIG_FILE_KEYS: readonly string[] = [...SETTING_KEYS, 'flows'];

// FLOW_LOG_LEVEL for logLevel: the variable name is derived from the key.
export const toEnvName = (key: string): string =>
  (SETTINGS as Readonly<Record<string, { readonly envName?: string }>>)[key]?.envName ?? `FLOW_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
