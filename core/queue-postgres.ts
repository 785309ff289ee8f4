/**
 * The deploy queue on the control-plane PostgreSQL (the embedded default: no Redis). One table;
 * a worker claims the oldest waiting job with `FOR UPDATE SKIP LOCKED` (PostgreSQL manual, "The
 * Locking Clause"), so DevFlows sharing a database never take the same job, and LISTEN/NOTIFY
 * wakes idle workers the moment a job arrives.
 *
 * It is written on `postgres`, DevFlow's driver anyway, rather than on BullMQ's PostgreSQL
 * backend, which brought BullMQ and node-postgres into every idle DevFlow: about 20 MB of
 * resident memory for a queue that holds a few rows (issue 23).
 *
 * Like the BullMQ queue it replaces: a deployment's job is added once (enqueuing it again does
 * nothing), runs once (a job whose run was cut short by a stop is not run again; the next
 * start marks the deployment failed), waiting jobs survive a restart, and closing waits for
 * the jobs in progress.
 */
import { connect, type Sql } from './store/database.js';
import type { DeployJob, DeployQueue } from './queue-types.js';

const CHANNEL = 'devflow_deploy_queue';
/** A notification missed while the listening connection was down delays a job at most this. */
const POLL_MS = 5_000;
/** Taken jobs are kept a day, so a late duplicate enqueue of a finished deployment is still refused. */
const KEEP_TAKEN = '1 day';

const CREATE = `CREATE TABLE IF NOT EXISTS deploy_queue (
  seq bigserial UNIQUE,
  deployment_id bigint PRIMARY KEY,
  app text NOT NULL,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  taken_at timestamptz
)`;

export function postgresDeployQueue(databaseUrl: string): DeployQueue {
  const sql = connect(databaseUrl, 4);
  const wakeups = new Set<() => void>();
  let notices = 0;
  const wakeAll = () => {
    notices++;
    for (const wake of wakeups) wake();
    wakeups.clear();
  };
  const ready = prepare(sql, wakeAll);
  ready.catch(() => undefined); // reported by the first enqueue or worker that awaits it
  const slots: Promise<void>[] = [];
  let closing = false;

  const idle = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wakeups.delete(done);
      resolve();
    }
    wakeups.add(done);
  });

  async function runSlot(processor: (job: DeployJob) => Promise<void>): Promise<void> {
    await ready.catch(() => undefined);
    while (!closing) {
      const seen = notices;
      const job = await claimJob(sql).catch(() => undefined);
      if (job === undefined) {
        // A job announced while this slot was looking is claimed at once, not after POLL_MS.
        if (notices === seen) await idle(POLL_MS);
        continue;
      }
      // A deploy reports its own failure (a user-visible result); the queue never retries it.
      await processor(job).catch(() => undefined);
    }
  }

  return {
    backend: 'postgres',
    async enqueue(job) {
      await ready;
      await sql`INSERT INTO deploy_queue (deployment_id, app) VALUES (${job.deploymentId}, ${job.app})
        ON CONFLICT (deployment_id) DO NOTHING`;
      await sql.notify(CHANNEL, String(job.deploymentId));
    },
    work(processor, concurrency) {
      for (let i = 0; i < concurrency; i++) slots.push(runSlot(processor));
    },
    async close() {
      closing = true;
      wakeAll();
      await Promise.all(slots);
      await sql.end({ timeout: 5 });
    },
  };
}

/** Creates the table (an advisory lock keeps two starting DevFlows from racing) and listens. */
async function prepare(sql: Sql, onJob: () => void): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(727002)`;
    await tx.unsafe(CREATE);
  });
  await sql.listen(CHANNEL, onJob);
}

/** Takes the oldest waiting job, or none; also forgets jobs taken long ago. */
async function claimJob(sql: Sql): Promise<DeployJob | undefined> {
  const [row] = await sql<{ deploymentId: string; app: string }[]>`
    UPDATE deploy_queue SET taken_at = now()
    WHERE deployment_id = (
      SELECT deployment_id FROM deploy_queue WHERE taken_at IS NULL ORDER BY seq FOR UPDATE SKIP LOCKED LIMIT 1)
    RETURNING deployment_id AS "deploymentId", app`;
  if (row === undefined) return undefined;
  await sql`DELETE FROM deploy_queue WHERE taken_at < now() - ${KEEP_TAKEN}::interval`;
  return { deploymentId: Number(row.deploymentId), app: row.app };
}
