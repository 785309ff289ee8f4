/**
 * Runs a planned statement in the request's transaction (session.ts: the token's role and
 * claims; read only for GET and HEAD). A check that fails after the statement ran (a singular
 * response that is not one row) or `Prefer: tx=rollback` rolls the transaction back: the
 * answer is carried out of the transaction by an exception PostgreSQL never sees.
 */
import type { RequestContext } from '../contract.js';
import { inRequestTransaction, type RequestTransaction } from '../session.js';

export interface StatementResult {
  total: number | null;
  pageTotal: number;
  body: string | null;
  /** Rows changed by a bare statement (return=minimal). */
  affected: number;
}

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

export async function runStatement(tx: RequestTransaction, text: string, params: string[], returnsRows = true): Promise<StatementResult> {
  const result = await tx.unsafe(text, params, { prepare: true });
  if (!returnsRows) return { total: null, pageTotal: result.count, body: null, affected: result.count };
  const row = result[0]!; // the wrapped statement always answers one row
  return {
    total: row.total === null ? null : Number(row.total),
    pageTotal: Number(row.page_total),
    body: row.body as string | null,
    affected: Number(row.page_total),
  };
}

/** The planner's row estimate for a count query (Prefer: count=planned). */
export async function plannedCount(tx: RequestTransaction, text: string, params: string[]): Promise<number> {
  const [row] = await tx.unsafe(text, params);
  const plan = row?.['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[] | undefined;
  return plan?.[0]?.Plan['Plan Rows'] ?? 0;
}

/**
 * `run` computes the answer inside the transaction; `keep(answer)` says whether to commit.
 */
export async function inTransaction<T>(ctx: RequestContext, readOnly: boolean, run: (tx: RequestTransaction) => Promise<T>, keep: (answer: T) => boolean): Promise<T> {
  try {
    return await inRequestTransaction(ctx.project.sql, ctx, { readOnly }, async (tx) => {
      const answer = await run(tx);
      if (!keep(answer)) throw new Rollback(answer);
      return answer;
    });
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
}
