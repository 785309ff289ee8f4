/**
 * Failed sign-ins, counted in PostgreSQL so that every DevFlow process behind one database
 * shares them (issue 19: a person trying passwords cannot spread them across API processes, and
 * a restart forgets nothing). A key is `account:<email>` or `ip:<address>`; after `max` failures
 * within `windowMs`, the key waits until the oldest of those leaves the window. The database's
 * clock times every row, so processes with skewed clocks still agree. Successes are not counted.
 */
import type { Sql } from '../core/store/database.js';

export interface AttemptLimit {
  max: number;
  windowMs: number;
}

/**
 * Seconds to wait, given the failures' times within the window (any order) and now: 0 while
 * fewer than `max`, else until the max-th newest failure leaves the window (at least 1).
 */
export function secondsToWait(failures: readonly number[], limit: AttemptLimit, now: number): number {
  const recent = failures.filter((t) => t > now - limit.windowMs).sort((a, b) => b - a);
  if (recent.length < limit.max) return 0;
  const oldestCounted = recent[limit.max - 1]!;
  return Math.max(1, Math.ceil((oldestCounted + limit.windowMs - now) / 1000));
}

export async function signInWait(sql: Sql, key: string, limit: AttemptLimit): Promise<number> {
  const rows = await sql<{ at: Date; now: Date }[]>`
    SELECT at, clock_timestamp() AS now FROM sign_in_failures
    WHERE key = ${key} AND at > clock_timestamp() - make_interval(secs => ${limit.windowMs / 1000})
    ORDER BY at DESC LIMIT ${limit.max}`;
  if (rows.length === 0) return 0;
  return secondsToWait(rows.map((r) => r.at.getTime()), limit, rows[0]!.now.getTime());
}

/** Counts one failure for `key`, and forgets that key's failures past the window. */
export async function recordSignInFailure(sql: Sql, key: string, limit: AttemptLimit): Promise<void> {
  await sql`INSERT INTO sign_in_failures (key) VALUES (${key})`;
  await sql`DELETE FROM sign_in_failures WHERE key = ${key} AND at <= clock_timestamp() - make_interval(secs => ${limit.windowMs / 1000})`;
}

export const accountKey = (email: string): string => `account:${email}`;
export const ipKey = (ip: string): string => `ip:${ip}`;

/** Failed sign-ins allowed per account and per client IP within the window. */
export interface SignInLimits {
  perAccount: number;
  perIp: number;
  windowMs: number;
}

/** Why and how long a sign-in must wait, or undefined when it may go ahead. */
export async function signInBlocked(sql: Sql, limits: SignInLimits, email: string, ip: string): Promise<{ seconds: number; who: string } | undefined> {
  const account = await signInWait(sql, accountKey(email), { max: limits.perAccount, windowMs: limits.windowMs });
  const address = await signInWait(sql, ipKey(ip), { max: limits.perIp, windowMs: limits.windowMs });
  if (account === 0 && address === 0) return undefined;
  return { seconds: Math.max(account, address), who: account > 0 ? `for ${email}` : `from ${ip}` };
}

/** Counts one failed sign-in against both the account and the client IP. */
export async function recordFailedSignIn(sql: Sql, limits: SignInLimits, email: string, ip: string): Promise<void> {
  await recordSignInFailure(sql, accountKey(email), { max: limits.perAccount, windowMs: limits.windowMs });
  await recordSignInFailure(sql, ipKey(ip), { max: limits.perIp, windowMs: limits.windowMs });
}
