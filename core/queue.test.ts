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
});
