// The history databases W5 reads: built by bench/history/build-fixture.ts
// in a process of its own (the engine and the recorder, no CLI), once per
// size and suite run, in the suite's scratch folder, which goes when the
// suite ends. Building 10,000 flow runs takes one to two minutes.
import { spawnSync } from 'node:child_process';
import { historyBytes } from './history-bytes.js';
import { REPO_ROOT, scratchFolder } from './command.js';

export interface HistoryFixture {
  /** FLOW_STORE_DIR for `flow runs` to read it. */
  readonly storeDir: string;
  readonly flowRuns: number;
  readonly taskRuns: number;
  readonly failed: number;
  /** A completed flow run of the newer half, for `flow runs show`. */
  readonly sampleId: string;
  readonly buildSeconds: number;
  readonly bytes: number;
}

interface BuildReport {
  readonly seconds: number;
  readonly flowRuns: number;
  readonly taskRuns: number;
  readonly failed: number;
  readonly sampleId?: string;
}

const built = new Map<number, HistoryFixture>();

/** A history of `flowRuns` top-level runs of the nightly ETL flow, built at the first call for that size. */
export const historyFixture = (flowRuns: number): HistoryFixture => {
  const cached = built.get(flowRuns);
  if (cached !== undefined) {
    return cached;
  }
  const storeDir = scratchFolder();
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/history/build-fixture.ts', storeDir, String(flowRuns)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`building the history of ${flowRuns} flow runs failed: ${result.stderr.slice(-2000)}`);
  }
  const report = JSON.parse(result.stdout) as BuildReport;
  if (report.sampleId === undefined) {
    throw new Error(`the history of ${flowRuns} flow runs has no completed run to show`);
  }
  const fixture: HistoryFixture = {
    storeDir,
    flowRuns: report.flowRuns,
    taskRuns: report.taskRuns,
    failed: report.failed,
    sampleId: report.sampleId,
    buildSeconds: report.seconds,
    bytes: historyBytes(storeDir),
  };
  built.set(flowRuns, fixture);
  return fixture;
};
