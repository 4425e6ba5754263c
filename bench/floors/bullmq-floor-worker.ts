// A worker process of bullmq-floor.ts: BullMQ's Worker, the job's work done
// in its own thread, nothing else. Args: REDIS_URL QUEUE CONCURRENCY.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [url = '', queueName = '', concurrency = '1'] = process.argv.slice(2);
const connection = new Redis(url, { maxRetriesPerRequest: null });
const worker = new Worker(
  queueName,
  async (job) => {
    const data = job.data as { ms?: number; x?: number };
    if (job.name === 'burn') {
      const end = Date.now() + Number(data.ms);
      let spins = 0;
      while (Date.now() < end) {
        spins += 1;
      }
      return spins;
    }
    return Number(data.x) + 1;
  },
  { connection, concurrency: Number(concurrency) },
);
await worker.waitUntilReady();
process.send?.('ready');
process.on('SIGTERM', () =>
  void worker.close().then(() => {
    connection.disconnect();
    process.disconnect?.();
  }),
);
