/**
 * The deploy queue: BullMQ jobs on Redis when REDIS_URL is set, otherwise DevFlow's own queue
 * in the control-plane PostgreSQL (queue-postgres.ts), so the embedded default needs no Redis.
 * The backend is chosen here and nowhere else. BullMQ (and ioredis beneath it) loads only
 * with REDIS_URL (issue 23).
 */
import type * as Bullmq from 'bullmq';
import { postgresDeployQueue } from './queue-postgres.js';
import type { DeployJob, DeployQueue } from './queue-types.js';

export type { DeployJob, DeployQueue } from './queue-types.js';

const QUEUE_NAME = 'devflow-deploys';

export function createDeployQueue(options: { redisUrl?: string; databaseUrl: string }): DeployQueue {
  return options.redisUrl ? redisQueue(options.redisUrl) : postgresDeployQueue(options.databaseUrl);
}

/** BullMQ, loaded when the Redis queue is created. */
function loadBullmq(): Promise<typeof Bullmq> {
  return import('bullmq');
}

function redisQueue(url: string): DeployQueue {
  const connection = { url, maxRetriesPerRequest: null };
  const bullmq = loadBullmq();
  const queue = bullmq.then(({ Queue }) => new Queue<DeployJob>(QUEUE_NAME, { connection }));
  queue.catch(() => undefined); // reported by enqueue and close, which await it
  const workers: Promise<Bullmq.Worker<DeployJob>>[] = [];
  return {
    backend: 'redis',
    async enqueue(job) {
      // Deploys are not retried by the queue: a failed deploy is a user-visible result.
      await (await queue).add('deploy', job, { jobId: `deployment-${job.deploymentId}`, attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 });
    },
    work(processor, concurrency) {
      const worker = bullmq.then(({ Worker }) => {
        const started = new Worker<DeployJob>(QUEUE_NAME, async (job) => processor(job.data), { connection, concurrency });
        started.on('error', () => {});
        return started;
      });
      worker.catch(() => undefined);
      workers.push(worker);
    },
    async close() {
      await Promise.all(workers.map(async (worker) => (await worker).close()));
      await (await queue).close();
    },
  };
}
