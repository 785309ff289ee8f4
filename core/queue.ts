/**
 * The deploy queue: BullMQ jobs on Redis when REDIS_URL is set, otherwise on BullMQ's
 * PostgreSQL backend in the control-plane database, so the embedded default needs no Redis.
 * The backend is chosen here and nowhere else.
 */
import { Queue, Worker, createPostgresBackend, withBackend } from 'bullmq';

export interface DeployJob {
  deploymentId: number;
  app: string;
}

export interface DeployQueue {
  readonly backend: 'redis' | 'postgres';
  enqueue(job: DeployJob): Promise<void>;
  work(processor: (job: DeployJob) => Promise<void>, concurrency: number): void;
  close(): Promise<void>;
}

const QUEUE_NAME = 'devflow-deploys';

export function createDeployQueue(options: { redisUrl?: string; databaseUrl: string }): DeployQueue {
  return options.redisUrl ? redisQueue(options.redisUrl) : postgresQueue(options.databaseUrl);
}

function redisQueue(url: string): DeployQueue {
  const connection = { url, maxRetriesPerRequest: null };
  return wrap('redis', new Queue<DeployJob>(QUEUE_NAME, { connection }), (processor, concurrency) =>
    new Worker<DeployJob>(QUEUE_NAME, async (job) => processor(job.data), { connection, concurrency }));
}

function postgresQueue(databaseUrl: string): DeployQueue {
  const pg = withBackend(createPostgresBackend);
  const connection = { connectionString: databaseUrl, schema: 'bullmq', migrate: true, max: 4 };
  return wrap('postgres', new pg.Queue<DeployJob>(QUEUE_NAME, { connection }), (processor, concurrency) =>
    new pg.Worker<DeployJob>(QUEUE_NAME, async (job) => processor(job.data), { connection, concurrency }));
}

interface Closable {
  close(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

function wrap(
  backend: 'redis' | 'postgres',
  queue: { add(name: string, data: DeployJob, opts: object): Promise<unknown>; close(): Promise<void> },
  makeWorker: (processor: (job: DeployJob) => Promise<void>, concurrency: number) => Closable,
): DeployQueue {
  const workers: Closable[] = [];
  return {
    backend,
    async enqueue(job) {
      // Deploys are not retried by the queue: a failed deploy is a user-visible result.
      await queue.add('deploy', job, { jobId: `deployment-${job.deploymentId}`, attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 });
    },
    work(processor, concurrency) {
      const worker = makeWorker(processor, concurrency);
      worker.on('error', () => {});
      workers.push(worker);
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queue.close();
    },
  };
}
