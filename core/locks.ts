/**
 * Per-app locks across every control-plane process, as PostgreSQL session advisory locks on
 * a reserved connection: a deploy holds its app's lock from build to rollout, so two pushes to
 * one app never build at once and the reconciler never corrects an app mid-deploy.
 */
import type { Sql } from './store/database.js';

const NAMESPACE = 7270;

export async function withAppLock<T>(sql: Sql, appId: number, work: () => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  try {
    await conn`SELECT pg_advisory_lock(${NAMESPACE}, ${appId})`;
    try {
      return await work();
    } finally {
      await conn`SELECT pg_advisory_unlock(${NAMESPACE}, ${appId})`;
    }
  } finally {
    conn.release();
  }
}

/** Runs `work` only if nobody holds the app's lock; returns undefined when it was busy. */
export async function tryWithAppLock<T>(sql: Sql, appId: number, work: () => Promise<T>): Promise<T | undefined> {
  const conn = await sql.reserve();
  try {
    const [row] = await conn<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${NAMESPACE}, ${appId}) AS ok`;
    if (!row?.ok) return undefined;
    try {
      return await work();
    } finally {
      await conn`SELECT pg_advisory_unlock(${NAMESPACE}, ${appId})`;
    }
  } finally {
    conn.release();
  }
}
