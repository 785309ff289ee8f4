/**
 * Per-app locks across every control-plane process, as PostgreSQL session advisory locks on
 * a reserved connection: a deploy holds its app's lock from build to rollout, so two pushes to
 * one app never build at once and the reconciler never corrects an app mid-deploy.
 */
import type { Sql } from './store/database.js';

const NAMESPACE = 7270;

export async function withAppLock<T>(sql: Sql, appId: number, work: () => Promise<T>): Promise<T> {
  const result = await holdingAppLock(sql, appId, 'wait', work);
  return result as T;
}

/** Runs `work` only if nobody holds the app's lock; returns undefined when it was busy. */
export function tryWithAppLock<T>(sql: Sql, appId: number, work: () => Promise<T>): Promise<T | undefined> {
  return holdingAppLock(sql, appId, 'try', work);
}

/** Takes the lock on a reserved connection (session locks belong to one connection), runs, releases. */
async function holdingAppLock<T>(sql: Sql, appId: number, mode: 'wait' | 'try', work: () => Promise<T>): Promise<T | undefined> {
  const conn = await sql.reserve();
  try {
    if (mode === 'wait') {
      await conn`SELECT pg_advisory_lock(${NAMESPACE}, ${appId})`;
    } else {
      const [row] = await conn<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${NAMESPACE}, ${appId}) AS ok`;
      if (!row?.ok) return undefined;
    }
    try {
      return await work();
    } finally {
      await conn`SELECT pg_advisory_unlock(${NAMESPACE}, ${appId})`;
    }
  } finally {
    conn.release();
  }
}
