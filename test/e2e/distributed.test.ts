import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { makeFlowProject } from '../helpers/flow-project.js';
import { startFlowWorker } from '../helpers/flow-worker.js';
import { redisMissing, startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { FIXTURES, runCli } from '../helpers/run-cli.js';

// `--runner distributed` and `flow worker` (API.md section 7), through the
// real binary, against a real redis-server of the tests' own: task runs go
// to worker processes started in a checkout of the project, and what a user
// sees when Redis, a worker or the flow run goes away.

const FLOW_SOURCE = readFileSync(join(FIXTURES, 'distributed', 'dist.ts'), 'utf8');

const skip = redisMissing();
let redis: PrivateRedis | undefined;
// Each test its own queue: the tests run at once on one server.
let queues = 0;

const setUp = (t: TestContext, source = FLOW_SOURCE): { project: string; queue: string; url: string } => {
  queues += 1;
  return { project: makeFlowProject(t, 'dist-project', { 'dist.ts': source }), queue: `q${queues}`, url: redis?.url ?? '' };
};

const runFlow = (project: string, url: string, queue: string, args: readonly string[], timeoutMs = 40_000) =>
  runCli(['run', 'dist', '--runner', 'distributed', '--redis', url, '--queue', queue, '--no-history', ...args], { cwd: project, timeoutMs });

describe('the distributed runner', { skip, concurrency: true }, () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it("runs task runs on a worker: their log lines under each task run, their prints on stdout, results back; `flow workers` lists it", async (t) => {
    const { project, queue, url } = setUp(t);
    const worker = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '2']);
    assert.match(worker.output(), new RegExp(`flowrun\\.worker - Worker '[^']+-${worker.child.pid}' serving queue '${queue}' at ${url} with concurrency 2`));
    const result = await runFlow(project, url, queue, []);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Starting 'DistributedTaskRunner'; submitted tasks will be run in parallel\.\.\./);
    for (const word of ['alpha', 'beta', 'gamma']) {
      assert.match(result.stderr, new RegExp(`\\| INFO    \\| Task run 'shout-[0-9a-f]{8}-\\d' - saying ${word}\\n`));
      assert.match(result.stderr, new RegExp(`\\| WARNING \\| Task run 'shout-[0-9a-f]{8}-\\d' - said ${word}\\n`));
      assert.match(result.stdout, new RegExp(`^printed ${word}$`, 'm'));
    }
    // Each run's lines come before its end, in the order it wrote them.
    const lines = result.stderr.split('\n');
    for (const name of new Set(lines.map((line) => /Task run '(shout-[^']+)'/.exec(line)?.[1]).filter((name) => name !== undefined))) {
      const own = lines.filter((line) => line.includes(`Task run '${name}'`)).map((line) => line.replace(/^.*? - /, ''));
      assert.deepEqual([own[0]?.replace(/saying \w+/, 'saying'), own[1]?.replace(/said \w+/, 'said'), own[2]], ['saying', 'said', 'Finished in state Completed()']);
    }
    assert.match(result.stdout, /^result ALPHA BETA GAMMA$/m);
    assert.match(worker.output(), /Task run 'shout-[0-9a-f]{8}-0' of flow run '[a-z]+-[a-z]+' completed/);
    const listed = await runCli(['workers', '--redis', url, '--queue', queue, '--json'], { cwd: project });
    assert.equal(listed.code, 0, listed.stderr);
    const workers = JSON.parse(listed.stdout) as { id: string; pid: number; queue: string; concurrency: number; done: number; running: number; lastSeen: string }[];
    assert.equal(workers.length, 1);
    assert.deepEqual({ pid: workers[0]?.pid, queue: workers[0]?.queue, concurrency: workers[0]?.concurrency, running: workers[0]?.running }, { pid: worker.child.pid, queue, concurrency: 2, running: 0 });
    assert.ok((workers[0]?.done ?? 0) >= 3, listed.stdout);
    assert.equal(await worker.stop('SIGTERM'), 0);
  });

  it('spreads CPU-bound task runs over two workers, one in a copy of the project in another directory', async (t) => {
    const { project, queue, url } = setUp(t);
    const copy = makeFlowProject(t, 'dist-project', { 'dist.ts': FLOW_SOURCE });
    const here = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '1']);
    const there = await startFlowWorker(t, copy, ['--redis', url, '--queue', queue, '--concurrency', '1']);
    const result = await runFlow(project, url, queue, ['--param', 'mode=burn', '--param', 'n=6', '--param', 'ms=400']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((result.stderr.match(/Task run 'burn-[0-9a-f]{8}-\d' - Finished in state Completed\(\)/g) ?? []).length, 6, result.stderr);
    // Each worker ran some: their processes' threads, named by the workers' pids.
    const pids = (/^pids (.+)$/m.exec(result.stdout)?.[1] ?? '').split(' ').map(Number);
    assert.deepEqual(pids, [here.child.pid, there.child.pid].sort(), result.stdout);
  });

  it("runs a Prefect 1 graph's Task subclasses on a worker, with their Parameter", async (t) => {
    queues += 1;
    const queue = `q${queues}`;
    const url = redis?.url ?? '';
    const graph = [
      "import { Flow, Parameter, Task } from 'flowrun';",
      'class Double extends Task<{ x: number }, number> {',
      '  run({ x }: { x: number }) {',
      '    console.log(`doubling ${x} in ${process.pid}`);',
      '    return x * 2;',
      '  }',
      '}',
      'class Total extends Task<{ numbers: number[] }, number> {',
      '  run({ numbers }: { numbers: number[] }) {',
      '    const total = numbers.reduce((sum, n) => sum + n, 0);',
      '    console.log(`total ${total}`);',
      '    return total;',
      '  }',
      '}',
      "export const graph = new Flow('graph');",
      'export default graph;',
      "const x = new Parameter('x');",
      'const a = new Double();',
      'const b = new Double();',
      "x.setDownstream(a, { key: 'x', flow: graph });",
      "x.setDownstream(b, { key: 'x', flow: graph });",
      'new Total().bind({ numbers: [a, b] }, { flow: graph });',
      '',
    ].join('\n');
    const project = makeFlowProject(t, 'dist-project', { 'graph.ts': graph });
    const worker = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '2']);
    const result = await runCli(['run', 'graph', '--runner', 'distributed', '--redis', url, '--queue', queue, '--no-history', '--param', 'x=21'], { cwd: project, timeoutMs: 40_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((result.stdout.match(new RegExp(`^doubling 21 in ${worker.child.pid}$`, 'gm')) ?? []).length, 2, result.stdout);
    assert.match(result.stdout, /^total 84$/m);
    assert.equal((worker.output().match(/Task run '(Double|Total)-[0-9a-f]{8}-\d' of flow run '[a-z]+-[a-z]+' completed/g) ?? []).length, 3, worker.output());
    assert.equal(await worker.stop('SIGTERM'), 0);
  });

  it('sends Dates and Maps to a worker and back as the parallel runner does', async (t) => {
    const { project, queue, url } = setUp(t);
    await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '1']);
    const result = await runFlow(project, url, queue, ['--param', 'mode=values']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^values 2026 a true$/m);
  });

  it("holds the config's concurrencyLimits across flow runs and workers: two runs' tagged task runs never overlap under a limit of 1", async (t) => {
    const { project, queue, url } = setUp(t);
    writeFileSync(join(project, '.flowrc.json'), JSON.stringify({ concurrencyLimits: { db: 1 } }));
    await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '3']);
    await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '3']);
    const args = ['--param', 'mode=tagged', '--param', 'n=3', '--param', 'ms=300'];
    const results = await Promise.all([runFlow(project, url, queue, args), runFlow(project, url, queue, args)]);
    const spans: [number, number][] = [];
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      for (const [, start, end] of result.stdout.matchAll(/^span (\d+) (\d+)$/gm)) {
        spans.push([Number(start), Number(end)]);
      }
    }
    assert.equal(spans.length, 6);
    spans.sort((a, b) => a[0] - b[0]);
    for (let index = 1; index < spans.length; index += 1) {
      assert.ok((spans[index]?.[0] ?? 0) >= (spans[index - 1]?.[1] ?? 0), `runs overlapped: ${JSON.stringify(spans)}`);
    }
  });

  it('fails fast, exit 2 with one line naming the URL, when Redis cannot be reached', async (t) => {
    const { project, queue } = setUp(t);
    const started = Date.now();
    const result = await runFlow(project, 'redis://127.0.0.1:1', queue, []);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(Date.now() - started < 5_000 + 2_000, 'it took more than 5 s (and start-up)');
    assert.equal(result.stderr, "error: cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; is redis-server running there?\n");
  });

  it('ends a task run Crashed, naming the worker and the file, when the worker has another version of its module', async (t) => {
    const { project, queue, url } = setUp(t);
    const elsewhere = makeFlowProject(t, 'dist-project', { 'dist.ts': `${FLOW_SOURCE}\n// another version\n` });
    const worker = await startFlowWorker(t, elsewhere, ['--redis', url, '--queue', queue, '--concurrency', '1']);
    const result = await runFlow(project, url, queue, []);
    assert.equal(result.code, 1, result.stderr);
    const id = `[^']+-${worker.child.pid}`;
    assert.match(
      result.stderr,
      new RegExp(`Task run 'shout-[0-9a-f]{8}-\\d' - Finished in state Crashed\\("Worker '${id}' has another version of 'flows/dist\\.ts' than the flow run \\(their contents differ\\): check out the same version of the project on both machines\\."\\)`),
    );
  });

  it('stops a task past its timeoutSeconds on its worker, even in a synchronous loop: TimedOut, and the worker goes on serving', async (t) => {
    const { project, queue, url } = setUp(t);
    const worker = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '1']);
    const timedOut = await runFlow(project, url, queue, ['--param', 'mode=spin']);
    assert.equal(timedOut.code, 1, timedOut.stderr);
    assert.match(timedOut.stderr, /Task run 'spin-[0-9a-f]{8}-0' - Finished in state TimedOut\('Task run exceeded timeout of 1 second\(s\)', type=FAILED\)/);
    // Its one thread is free again: the next run's task runs run.
    const next = await runFlow(project, url, queue, []);
    assert.equal(next.code, 0, next.stderr);
    assert.match(worker.output(), /Task run 'spin-[0-9a-f]{8}-0' of flow run '[a-z]+-[a-z]+' was stopped/);
  });

  it('hands the task runs of a worker killed mid-run to another worker, with one WARNING each, and completes', async (t) => {
    const { project, queue, url } = setUp(t);
    const first = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '2']);
    const running = runFlow(project, url, queue, ['--param', 'mode=slow', '--param', 'n=2', '--param', 'ms=2500'], 60_000);
    // Both runs are on the first worker before the second starts.
    const deadline = Date.now() + 15_000;
    while ((first.output().match(/ started/g) ?? []).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await first.stop('SIGKILL');
    const second = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '2']);
    const result = await running;
    assert.equal(result.code, 0, result.stderr);
    assert.equal((result.stderr.match(/\| WARNING \| Task run 'slow-[0-9a-f]{8}-\d' - Its worker stopped answering while it ran \(killed, or cut off from Redis\); the task run goes to another worker\./g) ?? []).length, 2, result.stderr);
    assert.equal((second.output().match(/ of flow run '[a-z]+-[a-z]+' completed/g) ?? []).length, 2, second.output());
  });

  it('sends a large .map() many runs to a job; a worker killed in the middle of one has only the runs whose results had not come back run again', async (t) => {
    const { project, queue, url } = setUp(t);
    // One job at a time: 640 runs waiting go 10 to a job (job-batches.ts), 10 x 20 ms each.
    const first = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '1']);
    const running = runFlow(project, url, queue, ['--param', 'mode=many', '--param', 'n=640', '--param', 'ms=20'], 90_000);
    const completedOn = (worker: { output(): string }): string[] => [...worker.output().matchAll(/Task run '(count-[^']+)' of flow run '[^']+' completed/g)].map((match) => match[1] ?? '');
    const deadline = Date.now() + 30_000;
    while (completedOn(first).length < 25 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await first.stop('SIGKILL');
    const second = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '2']);
    const result = await running;
    assert.equal(result.code, 0, result.stderr.slice(-3000));
    assert.match(result.stdout, new RegExp(`^sum ${639 * 640}$`, 'm'));
    // Every run's line, then its end, once.
    const finished = [...result.stderr.matchAll(/Task run '(count-[^']+)' - Finished in state Completed\(\)/g)].map((match) => match[1]);
    assert.equal(finished.length, 640);
    assert.equal(new Set(finished).size, 640);
    for (const index of [0, 333, 639]) {
      const own = result.stderr.split('\n').filter((line) => line.includes(`Task run 'count-`) && line.includes(` - counting ${index}`));
      assert.ok(own.length >= 1, `no line of run ${index}`);
    }
    // The killed worker's job went to the other; of its runs, those whose
    // results had come back (sent as they ended) did not run again: at most
    // the one running and one waiting to be sent did.
    const onFirst = new Set(completedOn(first));
    const again = completedOn(second).filter((name) => onFirst.has(name));
    assert.ok(again.length <= 3, `run again: ${again.join(', ')}`);
    const warned = result.stderr.match(/\| WARNING \| Task run 'count-[^']+' - Its worker stopped answering while it ran/g) ?? [];
    assert.ok(warned.length >= 1 && warned.length <= 10, result.stderr.slice(-3000));
  });

  it('on SIGINT withdraws the queued task runs and stops the running ones on their worker: Cancelled, exit 130; the worker goes on', async (t) => {
    const { project, queue, url } = setUp(t);
    const worker = await startFlowWorker(t, project, ['--redis', url, '--queue', queue, '--concurrency', '2']);
    const { spawn } = await import('node:child_process');
    const { FLOW_BIN } = await import('../helpers/run-cli.js');
    const child = spawn(process.execPath, [FLOW_BIN, 'run', 'dist', '--runner', 'distributed', '--redis', url, '--queue', queue, '--no-history', '--param', 'mode=slow', '--param', 'ms=20000'], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = Date.now() + 15_000;
    while ((worker.output().match(/ started/g) ?? []).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const signalled = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    assert.ok(Date.now() - signalled < 5_000, `it took ${Date.now() - signalled} ms to exit`);
    assert.equal((stderr.match(/Task run 'slow-[0-9a-f]{8}-\d' - Finished in state Cancelled\('Execution was aborted by an interrupt signal\.'\)/g) ?? []).length, 4, stderr);
    // The two running stop on the worker; the two queued never start there.
    const stoppedBy = Date.now() + 5_000;
    while ((worker.output().match(/ was stopped/g) ?? []).length < 2 && Date.now() < stoppedBy) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal((worker.output().match(/ was stopped/g) ?? []).length, 2, worker.output());
    assert.equal((worker.output().match(/ started/g) ?? []).length, 2, worker.output());
    const next = await runFlow(project, url, queue, []);
    assert.equal(next.code, 0, next.stderr);
  });

  it('ends a run whose Redis goes away Crashed, exit 1, within 60 s; its worker says it lost Redis once', async (t) => {
    // A server of its own, to stop.
    const own = await startRedis();
    t.after(() => own.stop());
    const { project, queue } = setUp(t);
    const worker = await startFlowWorker(t, project, ['--redis', own.url, '--queue', queue, '--concurrency', '2']);
    const running = runFlow(project, own.url, queue, ['--param', 'mode=slow', '--param', 'n=2', '--param', 'ms=120000'], 90_000);
    const deadline = Date.now() + 15_000;
    while ((worker.output().match(/ started/g) ?? []).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lost = Date.now();
    await own.stop();
    const result = await running;
    assert.equal(result.code, 1, result.stderr);
    assert.ok(Date.now() - lost < 60_000, `it took ${Date.now() - lost} ms`);
    assert.match(result.stderr, new RegExp(`Task run 'slow-[0-9a-f]{8}-0' - Finished in state Crashed\\("Lost Redis at ${own.url}: it has not answered for \\d+ s, and the task run's outcome cannot come back\\."\\)`));
    assert.equal((worker.output().match(/Lost Redis at /g) ?? []).length, 1, worker.output());
    // Told to stop, it stops, Redis or not, and quietly.
    const stopping = Date.now();
    assert.equal(await worker.stop('SIGTERM'), 0);
    assert.ok(Date.now() - stopping < 15_000, `it took ${Date.now() - stopping} ms to stop`);
    assert.doesNotMatch(worker.output(), /Unhandled error|^\s+at /m);
  });

  it('says after 10 s that no worker serves the queue, and how to start one; --timeout bounds the wait', async (t) => {
    const { project, queue, url } = setUp(t);
    // The warning comes 10 s after the first task run is sent; the deadline
    // counts from the flow run's start, which a loaded machine may delay.
    const result = await runFlow(project, url, queue, ['--timeout', '14']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`\\| WARNING \\| Flow run '[a-z]+-[a-z]+' - No worker is serving queue '${queue}' at ${url}: 3 task runs wait\\. Start one in a checkout of this project: flow worker --redis ${url} --queue ${queue}\\n`),
    );
    assert.match(result.stderr, /Finished in state TimedOut\('Flow run exceeded timeout of 14 second\(s\)', type=FAILED\)\n$/);
  });
});
