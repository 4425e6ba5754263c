import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { endRunsOfDeadProcesses, processStartTime } from '../../../src/history/crash-detection.js';
import { openHistory } from '../../../src/history/database.js';
import { HistoryStatements } from '../../../src/history/statements.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const HOUR = 3_600_000;
const onLinux = process.platform === 'linux';

describe('crash detection', () => {
  it('ends Crashed the unfinished runs whose process is gone or whose pid now belongs to a process started after them', { skip: !onLinux && 'reads /proc: Linux only' }, async (t) => {
    // A process that is alive throughout, started now.
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    t.after(() => sleeper.kill());
    await once(sleeper, 'spawn');
    const sleeperPid = sleeper.pid ?? 0;
    const db = openHistory(makeTempDir(t, 'flowrun-crash-'), { create: true });
    t.after(() => db.close());
    const statements = new HistoryStatements(db);
    const now = Date.now();
    const insert = (name: string, pid: number, created: number): void => {
      statements.insertFlowRun({
        id: `00000000-0000-4000-8000-00000000000${name.length}`,
        name,
        flowName: 'f',
        parentSeq: undefined,
        flowFile: undefined,
        flowExport: undefined,
        parameters: '{}',
        secretNames: '[]',
        runner: 'ConcurrentTaskRunner',
        logLevel: 20,
        state: { type: 'RUNNING', name: 'Running', timestamp: created },
        runCount: 1,
        pid,
        host: 'this-host',
        position: 0,
      });
    };
    insert('a', sleeperPid, now - HOUR); // the pid of a process started an hour after the run: another process
    insert('bb', sleeperPid, now + 5_000); // created after the process started: its own
    insert('ccc', process.pid, now - HOUR); // the pid of this very test, which started after the run
    insert('dddd', 2 ** 22 + 1, now - HOUR); // beyond pid_max: no such process
    insert('eeeee', 2 ** 22 + 1, now - HOUR);
    db.prepare("UPDATE flow_runs SET host = 'another-host' WHERE name = 'eeeee'").run(); // another host's: not checked from here

    const started = processStartTime(sleeperPid);
    assert.ok(started !== undefined && Math.abs(started - now) < 5_000, `sleep started at ${started}, now is ${now}`);
    assert.equal(endRunsOfDeadProcesses(db, 'this-host', now), 3);
    const states = Object.fromEntries(
      (db.prepare('SELECT name, state_type, state_message FROM flow_runs ORDER BY name').all() as { name: string; state_type: string; state_message: string | null }[]).map(
        (row) => [row.name, row.state_type],
      ),
    );
    assert.deepEqual(states, { a: 'CRASHED', bb: 'RUNNING', ccc: 'CRASHED', dddd: 'CRASHED', eeeee: 'RUNNING' });
    const message = db.prepare("SELECT state_message FROM flow_runs WHERE name = 'a'").pluck().get();
    assert.equal(message, `The process that ran it (pid ${sleeperPid} on this-host) ended without finishing it.`);
  });
});
