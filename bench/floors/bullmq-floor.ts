// The floor of the distributed runner: the same trivial (W1) or CPU-bound
// (W2) work as bare BullMQ jobs, added in bulk, run by two worker processes
// (bullmq-floor-worker.ts) that do nothing else, and waited for through one
// QueueEvents listener. Redis and worker start-up are outside the time.
// Usage: node --import tsx bench/floors/bullmq-floor.ts REDIS_URL w1 N | REDIS_URL w2
// Prints one JSON line: { seconds, perTaskMicros }.
import { fork } from 'node:child_process';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

const [url = '', mode = 'w1', nText = '10000'] = process.argv.slice(2);
const n = mode === 'w2' ? 8 : Number(nText);
const queueName = `floor-${mode}-${process.pid}`;
const connection = new Redis(url, { maxRetriesPerRequest: null });
const workers = await Promise.all(
  [0, 1].map(
    () =>
      new Promise<ReturnType<typeof fork>>((resolve) => {
        const child = fork(new URL('./bullmq-floor-worker.ts', import.meta.url), [url, queueName, mode === 'w2' ? '1' : '64'], { execArgv: ['--import', 'tsx'] });
        child.once('message', () => resolve(child));
      }),
  ),
);
const queue = new Queue(queueName, { connection });
const eventsConnection = connection.duplicate();
const events = new QueueEvents(queueName, { connection: eventsConnection });
await events.waitUntilReady();
let done = 0;
const all = new Promise<void>((resolve) => {
  events.on('completed', () => {
    done += 1;
    if (done === n) {
      resolve();
    }
  });
});
const started = performance.now();
const jobs = Array.from({ length: n }, (_, index) => (mode === 'w2' ? { name: 'burn', data: { ms: 500 } } : { name: 'add', data: { x: index } }));
for (let index = 0; index < jobs.length; index += 500) {
  await queue.addBulk(jobs.slice(index, index + 500));
}
await all;
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, perTaskMicros: (seconds * 1e6) / n }));
for (const worker of workers) {
  worker.kill('SIGTERM');
}
await Promise.all([events.close(), queue.close()]);
// (BullMQ leaves connections it was given open.)
eventsConnection.disconnect();
connection.disconnect();
