import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { startRedis } from '../tests/support/redis.js';
import { createDeployQueue, type DeployJob, type DeployQueue } from './queue.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => db.drop());

async function runsJobsOnceInOrder(queue: DeployQueue): Promise<void> {
    const seen: DeployJob[] = [];
    const done = new Promise<void>((resolve) => {
      queue.work(async (job) => {
        seen.push(job);
        if (seen.length === 3) resolve();
      }, 1);
    });
    for (const id of [1, 2, 3]) await queue.enqueue({ deploymentId: id, app: 'q' });
    // Enqueuing the same deployment twice must not run it twice.
    await queue.enqueue({ deploymentId: 3, app: 'q' });
    await done;
    await new Promise((r) => setTimeout(r, 500));
    await queue.close();
    expect(seen.map((j) => j.deploymentId)).toEqual([1, 2, 3]);
}

describe('deploy queue', () => {
  it('on the PostgreSQL backend (no Redis) runs enqueued jobs once each, in order', async () => {
    const queue = createDeployQueue({ databaseUrl: db.url });
    expect(queue.backend).toBe('postgres');
    await runsJobsOnceInOrder(queue);
  });

  it('on Redis (REDIS_URL) runs enqueued jobs once each, in order', async () => {
    const redis = await startRedis();
    try {
      const queue = createDeployQueue({ databaseUrl: db.url, redisUrl: redis.url });
      expect(queue.backend).toBe('redis');
      await runsJobsOnceInOrder(queue);
    } finally {
      await redis.stop();
    }
  });

  it('on PostgreSQL, a job waiting at a stop runs after the next start, and two DevFlows sharing the database run each job once', async () => {
    const stopped = createDeployQueue({ databaseUrl: db.url });
    await stopped.enqueue({ deploymentId: 10, app: 'r' });
    await stopped.close();

    const [a, b] = [createDeployQueue({ databaseUrl: db.url }), createDeployQueue({ databaseUrl: db.url })];
    const runs: number[] = [];
    const allRan = new Promise<void>((resolve) => {
      const processor = async (job: DeployJob) => {
        runs.push(job.deploymentId);
        await new Promise((r) => setTimeout(r, 20));
        if (runs.length >= 6) resolve();
      };
      a.work(processor, 2);
      b.work(processor, 2);
    });
    for (const id of [11, 12, 13, 14, 15]) await (id % 2 ? a : b).enqueue({ deploymentId: id, app: 'r' });
    await allRan;
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all([a.close(), b.close()]);
    expect([...runs].sort((x, y) => x - y)).toEqual([10, 11, 12, 13, 14, 15]);
  });
});

