// The benchmark suite (npm run bench): W1 fan-out/fan-in (with a run of
// 1,000,000 tasks with the history on, W1M), W2 CPU-bound, W3 I/O-bound, W4
// start-up, W5 reading a history of 10,000 flow runs and W6 the distributed
// runner beside bare BullMQ, each through the
// real CLI, each beside its floors and, where Debian's python3-dask is
// installed, beside Dask. Writes bench/results/latest.json and latest.md.
// Usage: npm run bench [-- --repeats 5] [--only W1,W2,W1M,W5,W6] [--no-dask] [--no-million] [--max-n 100000]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureCommand, measureFlow, REPO_ROOT, scratchFolder, type CommandCost } from './lib/command.js';
import { daskUnavailable, runDask } from './lib/dask.js';
import { historyBytes } from './lib/history-bytes.js';
import { historyFixture, type HistoryFixture } from './lib/history-fixture.js';
import { describeMachine, printRow, writeResults, type Comparison, type Row } from './lib/report.js';
import { inTurns, median } from './lib/stats.js';
import { startFlowWorker } from '../test/helpers/flow-worker.js';
import { redisMissing, startRedis } from '../test/helpers/redis-server.js';

const { values: options } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    only: { type: 'string' },
    'no-dask': { type: 'boolean', default: false },
    'no-million': { type: 'boolean', default: false },
    'max-n': { type: 'string', default: '100000' },
  },
});
const REPEATS = Number(options.repeats);
const ONLY = new Set((options.only ?? 'W1,W2,W3,W4,W5,W6').toUpperCase().split(','));
// The million-task run takes 20-60 s a time: part of W1 and of every whole
// run, whatever --max-n, unless --no-million; `--only W1M` runs it alone.
const MILLION = !options['no-million'] && (ONLY.has('W1') || ONLY.has('W1M'));
const SIZES = [1_000, 10_000, 100_000].filter((n) => n <= Number(options['max-n']));
const RUNNERS = ['sequential', 'concurrent', 'parallel'] as const;
const LEVELS = ['INFO', 'WARNING'] as const;
// Peak RSS varies by about half a MiB between runs of the same command (six
// runs of `flow run hello`: 77.2-77.7 MiB); a growth is divided by an excess
// of at least four times that.
const RSS_NOISE_MIB = 2;
type Level = (typeof LEVELS)[number];

const rows: Row[] = [];
const notes: string[] = [];
const emit = (row: Row): void => {
  rows.push(row);
  printRow(row);
};

const noDask = options['no-dask'] ? 'left out (--no-dask)' : daskUnavailable();
if (noDask !== undefined) {
  notes.push(`Dask: ${noDask}.`);
}

const mid = (costs: readonly CommandCost[], pick: (cost: CommandCost) => number | undefined): number =>
  median(costs.map(pick).filter((value): value is number => value !== undefined));

/** A floor measured in a fresh process of its own (bench/floors/in-process.ts). */
const inProcessFloor = (floor: string, n = 0): { seconds: number; peakRssMiB: number } => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/floors/in-process.ts', floor, String(n)], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`floor ${floor} failed: ${result.stderr.slice(-1000)}`);
  }
  return JSON.parse(result.stdout) as { seconds: number; peakRssMiB: number };
};

const floorMedian = (floor: string, n = 0): number => median(Array.from({ length: REPEATS }, () => inProcessFloor(floor, n).seconds));

const daskMedian = (script: string, args: readonly string[], field = 'wall_s'): number =>
  median(Array.from({ length: REPEATS }, () => Number(runDask(script, args)[field])));

/** A floor's cost per task, and ours as a multiple of it. */
const perTaskComparison = (name: string, seconds: number, n: number, oursPerTask: number): Comparison => {
  const value = (seconds * 1e6) / n;
  return { name, value, ratio: oursPerTask / value };
};

// The engine's workloads are measured without the run history, so that
// their figures compare with those before it; the history's own cost is
// measured beside them (W1 with history) and in W4, which runs as users do.
const NO_HISTORY = { FLOW_HISTORY: 'false' };

const helloRun = (level: Level, env: Record<string, string> = NO_HISTORY): CommandCost =>
  measureFlow(['run', 'bench/flows/hello.ts', '--log-level', level], env);

console.log(`flowrun benchmarks: Node ${process.version}, ${describeMachine().cpus} CPUs, medians of ${REPEATS}`);

// W1: fan-out/fan-in on every runner, at INFO (lines written to a file) and WARNING.
if (ONLY.has('W1')) {
  const cases = SIZES.flatMap((n) => RUNNERS.flatMap((runner) => LEVELS.map((level) => ({ n, runner, level }))));
  const [helloInfo = [], helloWarning = [], ...measured] = await inTurns(REPEATS, [
    () => helloRun('INFO'),
    () => helloRun('WARNING'),
    ...cases.map(({ n, runner, level }) => () => measureFlow(['run', 'bench/flows/w1-fanout.ts', '--param', `n=${n}`, '--runner', runner, '--log-level', level], NO_HISTORY)),
  ]);
  const baseline = { INFO: helloInfo, WARNING: helloWarning };
  const floors = new Map(
    SIZES.map((n) => [n, { promiseAll: floorMedian('promise-all', n), pLimit: floorMedian('p-limit', n), piscina: floorMedian('piscina-trivial', n) }]),
  );
  const dask = new Map(
    SIZES.map((n) => [n, noDask === undefined ? { sync: daskMedian('w1_fanout.py', ['sync', String(n)]), threads: daskMedian('w1_fanout.py', ['threads', String(n)]) } : undefined]),
  );
  const excess = new Map<string, { wall: number; rss: number }>();
  for (const [index, { n, runner, level }] of cases.entries()) {
    const costs = measured[index] ?? [];
    const wall = mid(costs, (cost) => cost.wallSeconds);
    const rss = mid(costs, (cost) => cost.peakRssMiB);
    const base = baseline[level];
    const extraWall = wall - mid(base, (cost) => cost.wallSeconds);
    excess.set(`${runner} ${level} ${n}`, { wall: extraWall, rss: rss - mid(base, (cost) => cost.peakRssMiB) });
    const perTask = (extraWall * 1e6) / n;
    const floor = floors.get(n);
    const daskFigures = dask.get(n);
    const perTaskTarget = level === 'WARNING' ? 10 : 25;
    emit({
      workload: 'W1',
      name: `${runner}, ${level}, n=${n}`,
      value: perTask,
      unit: 'µs/task',
      wallSeconds: wall,
      peakRssMiB: rss,
      floors:
        floor === undefined
          ? []
          : [
              perTaskComparison('Promise.all', floor.promiseAll, n, perTask),
              perTaskComparison('p-limit(10)', floor.pLimit, n, perTask),
              // The parallel runner's own floor: the same calls through a bare pool (started beforehand).
              ...(runner === 'parallel' ? [perTaskComparison('bare piscina, 2 threads', floor.piscina, n, perTask)] : []),
            ],
      dask: daskFigures === undefined ? [] : [perTaskComparison('sync', daskFigures.sync, n, perTask), perTaskComparison('threads', daskFigures.threads, n, perTask)],
      target:
        runner === 'concurrent' && n === 100_000
          ? { text: `≤ ${perTaskTarget} µs/task, RSS < 300 MiB`, met: perTask <= perTaskTarget && rss < 300 }
          : undefined,
    });
  }
  // Scale: each tenfold step should cost about ten times as much, no more.
  for (const runner of RUNNERS) {
    for (const level of LEVELS) {
      for (const [from, to] of [
        [1_000, 10_000],
        [10_000, 100_000],
      ] as const) {
        const small = excess.get(`${runner} ${level} ${from}`);
        const large = excess.get(`${runner} ${level} ${to}`);
        if (small === undefined || large === undefined) {
          continue;
        }
        const wallGrowth = large.wall / small.wall;
        // Under RSS_NOISE_MIB above the baseline is within the peak RSS's run-to-run
        // noise: divided by, it gives growths of -85x or 138x that mean nothing.
        const rssMeasurable = small.rss >= RSS_NOISE_MIB;
        const rssGrowth = large.rss / small.rss;
        emit({
          workload: 'W1 scale',
          name: `${runner}, ${level}, ${from / 1000}k → ${to / 1000}k`,
          value: wallGrowth,
          unit: 'x wall',
          peakRssMiB: large.rss,
          floors: [
            rssMeasurable
              ? { name: 'RSS above baseline grew', value: rssGrowth, ratio: rssGrowth / 10 }
              : { name: `RSS above baseline ${small.rss.toFixed(1)} → ${large.rss.toFixed(1)} MiB (no ratio: under ${RSS_NOISE_MIB} MiB at ${from / 1000}k is noise)`, value: Number.NaN, ratio: Number.NaN },
          ],
          target:
            to === 100_000
              ? { text: '≤ 11x in wall and RSS above the baseline', met: wallGrowth <= 11 && rssMeasurable && rssGrowth <= 11 }
              : undefined,
        });
      }
    }
  }
  // W1 with the run history on, beside the same run without it.
  const largest = SIZES.at(-1);
  if (largest !== undefined) {
    const withHistory = LEVELS.map((level) => ({ level, bytes: [] as number[] }));
    const [helloHistoryInfo = [], helloHistoryWarning = [], ...recorded] = await inTurns(REPEATS, [
      () => helloRun('INFO', { FLOW_STORE_DIR: scratchFolder() }),
      () => helloRun('WARNING', { FLOW_STORE_DIR: scratchFolder() }),
      ...withHistory.map((entry) => () => {
        const storeDir = scratchFolder();
        const cost = measureFlow(['run', 'bench/flows/w1-fanout.ts', '--param', `n=${largest}`, '--log-level', entry.level], { FLOW_STORE_DIR: storeDir });
        entry.bytes.push(historyBytes(storeDir));
        return cost;
      }),
    ]);
    const helloWithHistory = { INFO: helloHistoryInfo, WARNING: helloHistoryWarning };
    for (const [index, { level, bytes }] of withHistory.entries()) {
      const costs = recorded[index] ?? [];
      const wall = mid(costs, (cost) => cost.wallSeconds);
      const perTask = ((wall - mid(helloWithHistory[level], (cost) => cost.wallSeconds)) * 1e6) / largest;
      const without = excess.get(`concurrent ${level} ${largest}`);
      const withoutPerTask = without === undefined ? Number.NaN : (without.wall * 1e6) / largest;
      const bytesPerTask = median(bytes) / largest;
      const ratio = perTask / withoutPerTask;
      emit({
        workload: 'W1 history',
        name: `concurrent, ${level}, n=${largest}, history on`,
        value: perTask,
        unit: 'µs/task',
        wallSeconds: wall,
        peakRssMiB: mid(costs, (cost) => cost.peakRssMiB),
        floors: [
          { name: 'history off', value: withoutPerTask, ratio },
          { name: `${Math.round(bytesPerTask)} bytes of database per task run`, value: Number.NaN, ratio: Number.NaN },
        ],
        target:
          level === 'WARNING'
            ? { text: '≤ 1.5x history off, ≤ 300 bytes per task run', met: ratio <= 1.5 && bytesPerTask <= 300 }
            : { text: '≤ 1.5x history off', met: ratio <= 1.5 },
      });
    }
    notes.push('W1 history: the same run with the run history on (its own store), against the history-off figure above; the other workloads run with FLOW_HISTORY=false, W4 as users run it.');
  }
  notes.push(
    'W1 µs/task is the wall of `flow run` beyond that of `flow run hello` (one trivial task) at the same log level, divided by n: start-up is left out, the pool start-up of the parallel runner is not.',
    'W1 scale: growth of that excess wall, and of peak RSS above `flow run hello`, per tenfold step; the floors column shows the RSS growth.',
  );
}

// W1M: 1,000,000 tasks with the history on, as a user with a large fan-out
// runs them: does it stay under 1 GiB? Three runs at most, each in a store
// of its own (about 170 MB), deleted once measured.
if (MILLION) {
  const n = 1_000_000;
  const bytes: number[] = [];
  const [costs = []] = await inTurns(Math.min(3, REPEATS), [
    () => {
      const storeDir = scratchFolder();
      const cost = measureFlow(['run', 'bench/flows/w1-fanout.ts', '--param', `n=${n}`, '--log-level', 'WARNING'], { FLOW_STORE_DIR: storeDir });
      bytes.push(historyBytes(storeDir));
      rmSync(storeDir, { recursive: true, force: true });
      return cost;
    },
  ]);
  const rss = mid(costs, (cost) => cost.peakRssMiB);
  emit({
    workload: 'W1 million',
    name: `concurrent, WARNING, n=${n}, history on`,
    value: rss,
    unit: 'MiB peak RSS',
    wallSeconds: mid(costs, (cost) => cost.wallSeconds),
    peakRssMiB: rss,
    floors: [{ name: `${Math.round(median(bytes) / n)} bytes of database per task run`, value: Number.NaN, ratio: Number.NaN }],
    target: { text: '< 1 GiB peak RSS', met: rss < 1024 },
  });
  notes.push(`W1 million: medians of ${costs.length} runs; --no-million leaves it out.`);
}

// W2: 8 CPU-bound tasks of about 0.5 s, sequential against parallel with 2 workers.
if (ONLY.has('W2')) {
  const [sequential = [], parallel = []] = await inTurns(REPEATS, [
    () => measureFlow(['run', 'cpu-bound', '--runner', 'sequential'], NO_HISTORY),
    () => measureFlow(['run', 'cpu-bound', '--runner', 'parallel', '--workers', '2'], NO_HISTORY),
  ]);
  const [thread = [], pool = []] = await inTurns(REPEATS, [() => inProcessFloor('w2-thread').seconds, () => inProcessFloor('w2-piscina').seconds]);
  const floorSpeedUp = median(thread) / median(pool);
  const wallSpeedUp = mid(sequential, (cost) => cost.wallSeconds) / mid(parallel, (cost) => cost.wallSeconds);
  const flowRunSpeedUp = mid(sequential, (cost) => cost.flowRunSeconds) / mid(parallel, (cost) => cost.flowRunSeconds);
  const dask: Comparison[] = [];
  if (noDask === undefined) {
    const daskSequential = daskMedian('w2_cpu.py', ['seq']);
    for (const variant of ['processes', 'processes-warm']) {
      const speedUp = daskSequential / daskMedian('w2_cpu.py', [variant]);
      dask.push({ name: `${variant} speed-up`, value: speedUp, ratio: flowRunSpeedUp / speedUp });
    }
  }
  for (const [name, costs] of [
    ['sequential', sequential],
    ['parallel, 2 workers', parallel],
  ] as const) {
    emit({ workload: 'W2', name: `${name}, flow run`, value: mid(costs, (cost) => cost.flowRunSeconds), unit: 's', wallSeconds: mid(costs, (cost) => cost.wallSeconds), peakRssMiB: mid(costs, (cost) => cost.peakRssMiB) });
  }
  emit({
    workload: 'W2',
    name: 'speed-up of parallel, flow run',
    value: flowRunSpeedUp,
    unit: 'x',
    floors: [{ name: 'bare piscina speed-up', value: floorSpeedUp, ratio: flowRunSpeedUp / floorSpeedUp }],
    dask,
    target: { text: '≥ 1.85x', met: flowRunSpeedUp >= 1.85 },
  });
  emit({ workload: 'W2', name: 'speed-up of parallel, wall', value: wallSpeedUp, unit: 'x', floors: [{ name: 'bare piscina speed-up', value: floorSpeedUp, ratio: wallSpeedUp / floorSpeedUp }] });
  notes.push('W2 flow run: from the first log line to the last; wall: the whole command, Node start-up included. The Dask speed-ups are of its own Python kernel, compared as ratios.');
}

// W3: 100 tasks awaiting a 100 ms timer, on the default (concurrent) runner.
if (ONLY.has('W3')) {
  const [runs = []] = await inTurns(REPEATS, [() => measureFlow(['run', 'bench/flows/w3-io.ts'], NO_HISTORY)]);
  const flowRun = mid(runs, (cost) => cost.flowRunSeconds);
  emit({
    workload: 'W3',
    name: 'concurrent, 100 × 100 ms, flow run',
    value: flowRun,
    unit: 's',
    wallSeconds: mid(runs, (cost) => cost.wallSeconds),
    peakRssMiB: mid(runs, (cost) => cost.peakRssMiB),
    floors: [{ name: 'one timer', value: 0.1, ratio: flowRun / 0.1 }],
    dask: noDask === undefined ? [{ name: 'threads100', value: daskMedian('w3_io.py', ['threads100']), ratio: flowRun / daskMedian('w3_io.py', ['threads100']) }] : [],
    target: { text: '≤ 0.13 s', met: flowRun <= 0.13 },
  });
  notes.push('W3 flow run: from the first log line to the last (millisecond stamps).');
}

// W4: start-up.
if (ONLY.has('W4')) {
  const rounds = REPEATS * 2;
  // As a user runs it: the history on, in a project whose history grows.
  const store = scratchFolder();
  const [help = [], bare = [], hello = [], tsx = []] = await inTurns(rounds, [
    () => measureFlow(['--help']),
    () => measureCommand(['-e', ''], []),
    () => measureFlow(['run', 'bench/flows/hello.ts'], { FLOW_STORE_DIR: store }),
    () => measureCommand(['--import', 'tsx'], ['bench/floors/hello-bare.ts']),
  ]);
  const wall = (costs: readonly CommandCost[]): number => mid(costs, (cost) => cost.wallSeconds);
  const startUp = (name: string, ours: readonly CommandCost[], floorName: string, floor: readonly CommandCost[], most: number): void =>
    emit({
      workload: 'W4',
      name,
      value: wall(ours),
      unit: 's',
      peakRssMiB: mid(ours, (cost) => cost.peakRssMiB),
      floors: [{ name: floorName, value: wall(floor), ratio: wall(ours) / wall(floor) }],
      target: { text: `≤ ${most}x ${floorName}`, met: wall(ours) <= most * wall(floor) },
    });
  startUp('flow --help', help, "node -e ''", bare, 1.5);
  startUp('flow run hello', hello, 'node --import tsx hello.ts', tsx, 1.3);
}

// W5: `flow runs` on a history of 10,000 flow runs (bench/history/), beside
// the same command on a history of 10 and beside `flow --help`: what the
// rows cost, and what start-up alone does.
if (ONLY.has('W5')) {
  const large = historyFixture(10_000);
  const small = historyFixture(10);
  const on = (fixture: HistoryFixture): Record<string, string> => ({ FLOW_STORE_DIR: fixture.storeDir });
  // As a user gives them, from what `flow runs ls` shows: 8 characters of the id.
  const show = (fixture: HistoryFixture): string[] => ['runs', 'show', fixture.sampleId.slice(0, 8)];
  const commands = [
    { name: 'flow runs ls', args: ['runs', 'ls'], target: 0.3 },
    { name: 'flow runs ls --state failed', args: ['runs', 'ls', '--state', 'failed'], target: 0.3 },
    { name: 'flow runs show <id prefix>', args: undefined, target: undefined },
  ] as const;
  const [help = [], ...measured] = await inTurns(REPEATS, [
    () => measureFlow(['--help']),
    ...commands.flatMap(({ args }) => [large, small].map((fixture) => () => measureFlow(args ?? show(fixture), on(fixture)))),
  ]);
  const wall = (costs: readonly CommandCost[]): number => mid(costs, (cost) => cost.wallSeconds);
  for (const [index, { name, target }] of commands.entries()) {
    const ours = measured[index * 2] ?? [];
    const onSmall = measured[index * 2 + 1] ?? [];
    emit({
      workload: 'W5 history',
      name: `${name}, ${large.flowRuns.toLocaleString('en-US')} flow runs`,
      value: wall(ours),
      unit: 's',
      wallSeconds: wall(ours),
      peakRssMiB: mid(ours, (cost) => cost.peakRssMiB),
      floors: [
        { name: `the same on ${small.flowRuns} flow runs`, value: wall(onSmall), ratio: wall(ours) / wall(onSmall) },
        { name: 'flow --help', value: wall(help), ratio: wall(ours) / wall(help) },
      ],
      target: target === undefined ? undefined : { text: `< ${target} s`, met: wall(ours) < target },
    });
  }
  notes.push(
    `W5 history: the wall of \`flow runs\` commands (the default limit of 15 rows) on a history of ${large.flowRuns.toLocaleString('en-US')} nightly-ETL flow runs ` +
      `(${large.taskRuns.toLocaleString('en-US')} task runs, ${large.failed} failed, ${(large.bytes / 1e6).toFixed(1)} MB, built in ${large.buildSeconds.toFixed(0)} s by bench/history/build-fixture.ts through the engine and the recorder).`,
  );
}

// W6: the distributed runner with two local `flow worker` processes on a
// redis-server of the suite's own, beside bare BullMQ doing the same work
// with two worker processes (bench/floors/bullmq-floor.ts).
if (ONLY.has('W6')) {
  const missing = redisMissing();
  if (missing !== undefined) {
    notes.push(`W6: left out, ${missing}.`);
  } else {
    const redis = await startRedis();
    const cleanups: (() => void)[] = [];
    try {
      const workersOf = (queue: string, concurrency: number) =>
        Promise.all([0, 1].map(() => startFlowWorker({ after: (fn) => cleanups.push(fn) }, REPO_ROOT, ['--redis', redis.url, '--queue', queue, '--concurrency', String(concurrency)])));
      await workersOf('bench-w1', 2);
      await workersOf('bench-w2', 1);
      const distributed = (queue: string, args: readonly string[], level: Level | 'INFO' = 'INFO') =>
        measureFlow(['run', ...args, '--runner', 'distributed', '--redis', redis.url, '--queue', queue, '--log-level', level], NO_HISTORY);
      const n = 10_000;
      const floor = (args: readonly string[]): number => {
        const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/floors/bullmq-floor.ts', redis.url, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
        if (result.status !== 0) {
          throw new Error(`the BullMQ floor failed: ${result.stderr.slice(-1000)}`);
        }
        return (JSON.parse(result.stdout) as { seconds: number }).seconds;
      };
      // As W1's per-task cost: the wall less that of a one-task run (hello) on the same runner.
      const [w1 = [], hello = []] = await inTurns(REPEATS, [
        () => distributed('bench-w1', ['bench/flows/w1-fanout.ts', '--param', `n=${n}`], 'WARNING'),
        () => distributed('bench-w1', ['bench/flows/hello.ts'], 'WARNING'),
      ]);
      const [w1Floor = []] = await inTurns(REPEATS, [() => floor(['w1', String(n)])]);
      const perTask = ((mid(w1, (cost) => cost.wallSeconds) - mid(hello, (cost) => cost.wallSeconds)) * 1e6) / n;
      const floorPerTask = (median(w1Floor) * 1e6) / n;
      const daskDistributed = noDask === undefined ? daskMedian('w1_fanout.py', ['distributed', String(n)]) : undefined;
      emit({
        workload: 'W6 distributed',
        name: `W1, n=${n}, 2 local workers, WARNING, per task`,
        value: perTask,
        unit: 'µs',
        wallSeconds: mid(w1, (cost) => cost.wallSeconds),
        peakRssMiB: mid(w1, (cost) => cost.peakRssMiB),
        floors: [{ name: 'bare BullMQ, 2 worker processes', value: floorPerTask, ratio: perTask / floorPerTask }],
        // Dask's LocalCluster of two worker processes, its start-up left out.
        dask: daskDistributed === undefined ? [] : [perTaskComparison('distributed', daskDistributed, n, perTask)],
        target: {
          text: daskDistributed === undefined ? '≤ 2x bare BullMQ' : '≤ 2x bare BullMQ, ≤ 1/5 of Dask distributed',
          met: perTask <= 2 * floorPerTask && (daskDistributed === undefined || perTask * 5 <= (daskDistributed * 1e6) / n),
        },
      });
      const [sequential = [], onWorkers = []] = await inTurns(REPEATS, [
        () => measureFlow(['run', 'cpu-bound', '--runner', 'sequential'], NO_HISTORY),
        () => distributed('bench-w2', ['cpu-bound']),
      ]);
      const [w2Floor = []] = await inTurns(REPEATS, [() => floor(['w2'])]);
      const speedUp = mid(sequential, (cost) => cost.flowRunSeconds) / mid(onWorkers, (cost) => cost.flowRunSeconds);
      // The floor's 8 jobs of 0.5 s each: 4 s of work.
      const floorSpeedUp = 4 / median(w2Floor);
      const daskW2 = noDask === undefined ? daskMedian('w2_cpu.py', ['seq']) / daskMedian('w2_cpu.py', ['distributed']) : undefined;
      emit({
        workload: 'W6 distributed',
        name: 'W2 speed-up on 2 workers of 1 thread, flow run',
        value: speedUp,
        unit: 'x',
        floors: [{ name: 'bare BullMQ speed-up', value: floorSpeedUp, ratio: speedUp / floorSpeedUp }],
        dask: daskW2 === undefined ? [] : [{ name: 'distributed speed-up', value: daskW2, ratio: speedUp / daskW2 }],
        target: { text: '≥ 1.85x', met: speedUp >= 1.85 },
      });
      notes.push(
        'W6 distributed: flow runs sent to two `flow worker` processes of this machine (concurrency 2 for W1, 1 for W2) on a private redis-server; the floor is bare BullMQ with two worker processes doing the same work, jobs added 500 at a time; Dask is a LocalCluster of two worker processes of one thread (its start-up left out).',
      );
    } finally {
      cleanups.forEach((cleanup) => cleanup());
      await redis.stop();
    }
  }
}

// Only a whole run replaces `latest`, the table bench/README.md quotes; a run of
// some workloads or sizes (--no-million included) is written beside it as `partial`.
const whole = options.only === undefined && Number(options['max-n']) >= 100_000 && MILLION;
const written = writeResults({ date: new Date().toISOString(), node: process.version, machine: describeMachine(), repeats: REPEATS, notes, rows }, whole ? 'latest' : 'partial');
console.log(`\nWritten: ${written} (and .json)`);
for (const note of notes) {
  console.log(`- ${note}`);
}
