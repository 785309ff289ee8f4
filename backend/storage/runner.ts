/**
 * Who a storage statement runs as. A user's request runs in the token's role with its claims
 * (inRequestTransaction), so the project's policies on storage.buckets and storage.objects
 * decide, as in Supabase. A few lookups are DevFlow's own bookkeeping and run as the owner:
 * a bucket's limits, public objects, objects behind a verified signed URL, and the old version
 * an upload replaces (its file is removed after commit, whatever the user may SELECT).
 */
import type { BackendProject, RequestContext } from '../contract.js';
import { inRequestTransaction, type RequestTransaction } from '../session.js';

export type Tx = RequestTransaction;
export type Runner = <T>(mode: 'read' | 'write', run: (tx: Tx) => Promise<T>) => Promise<T>;

export function asUser(ctx: RequestContext): Runner {
  return (mode, run) => inRequestTransaction(ctx.project.sql, ctx, { readOnly: mode === 'read' }, run);
}

export function asOwner(project: BackendProject): Runner {
  return async (mode, run) => (await project.sql.begin(mode === 'read' ? 'read only' : 'read write', run)) as never;
}

/** Runs `run` as the session's own role (the owner) inside a user's transaction, then returns to `role`. */
export async function asOwnerWithin<T>(tx: Tx, role: string, run: () => Promise<T>): Promise<T> {
  await tx`SELECT set_config('role', 'none', true)`;
  try {
    return await run();
  } finally {
    await tx`SELECT set_config('role', ${role}, true)`;
  }
}
