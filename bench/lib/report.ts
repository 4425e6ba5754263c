// The suite's table: printed, and written as JSON and markdown under
// bench/results/ with the machine, the Node version and the date.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './command.js';

export interface Comparison {
  readonly name: string;
  readonly value: number;
  /** Ours divided by it (for a speed-up, it divided by ours: above 1 is better for it). */
  readonly ratio: number;
}

export interface Row {
  readonly workload: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly wallSeconds?: number | undefined;
  readonly peakRssMiB?: number | undefined;
  readonly floors?: readonly Comparison[];
  readonly dask?: readonly Comparison[];
  readonly target?: { readonly text: string; readonly met: boolean } | undefined;
}

export interface Results {
  readonly date: string;
  readonly node: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly memoryGiB: number; readonly os: string };
  readonly repeats: number;
  readonly notes: readonly string[];
  readonly rows: readonly Row[];
}

export const describeMachine = (): Results['machine'] => ({
  cpus: cpus().length,
  model: cpus()[0]?.model.trim() ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
});

const figure = (value: number): string => {
  if (!Number.isFinite(value)) {
    return '-';
  }
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(1) : value.toFixed(2);
};

// A comparison without a figure (NaN) is a remark: its name alone.
const comparisons = (list: readonly Comparison[] | undefined): string =>
  (list ?? []).map((item) => (Number.isNaN(item.value) ? item.name : `${item.name} ${figure(item.value)} (${figure(item.ratio)}x)`)).join('; ') || '-';

const HEADER = ['Workload', 'Case', 'Figure', 'Wall s', 'Peak RSS MiB', 'Floors (ours / floor)', 'Dask (ours / Dask)', 'Target'];

const cells = (row: Row): string[] => [
  row.workload,
  row.name,
  `${figure(row.value)} ${row.unit}`,
  row.wallSeconds === undefined ? '-' : figure(row.wallSeconds),
  row.peakRssMiB === undefined ? '-' : figure(row.peakRssMiB),
  comparisons(row.floors),
  comparisons(row.dask),
  row.target === undefined ? '-' : `${row.target.met ? 'met' : 'MISSED'}: ${row.target.text}`,
];

export const toMarkdown = (results: Results): string => {
  const { machine } = results;
  const lines = [
    '# flowrun benchmarks',
    '',
    `${results.date}, Node ${results.node}, ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, ${machine.os}. Medians of ${results.repeats} runs.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...results.rows.map((row) => `| ${cells(row).join(' | ')} |`),
  ];
  if (results.notes.length > 0) {
    lines.push('', ...results.notes.map((note) => `- ${note}`));
  }
  return `${lines.join('\n')}\n`;
};

export const printRow = (row: Row): void => {
  const [workload, name, value, wall, rss, floors, dask, target] = cells(row);
  console.log(`${workload} ${name?.padEnd(34)} ${value?.padStart(14)}  wall ${wall?.padStart(6)} s  rss ${rss?.padStart(5)} MiB  ${target}`);
  if (floors !== '-' || dask !== '-') {
    console.log(`   floors: ${floors}   dask: ${dask}`);
  }
};

/** Writes `<name>.json` and `<name>.md` under bench/results/; returns the path of the markdown. */
export const writeResults = (results: Results, name: string): string => {
  const folder = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(folder, `${name}.md`), toMarkdown(results));
  return join(folder, `${name}.md`);
};
