/**
 * The auth service's two database helpers: one transaction on the project's pool, and the one
 * row an INSERT/UPDATE ... RETURNING must give.
 */
import type { Sql } from '../../core/store/database.js';

/**
 * Runs `run` in one transaction. The stores take `Sql`; postgres.js's TransactionSql answers
 * every query call they make (it lacks only pool-level calls such as end and listen), hence the
 * one cast here rather than a union type at every store function.
 */
export function inTransaction<T>(sql: Sql, run: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.begin((tx) => run(tx as unknown as Sql)) as Promise<T>;
}

export function returnedRow<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('the statement returned no row');
  return row;
}
