/**
 * Whether a subscriber may see a changed row, decided by the database as for any request of
 * theirs: in a read-only transaction in their role with their claims (../session.ts), the row is
 * selected by its primary key, so the table's privileges and RLS policies apply unchanged (the
 * way Supabase's Realtime checks each change against the subscriber's policies). The check sees
 * the row as it is when the change is delivered, which is a moment after its commit.
 *
 * A deleted row cannot be selected any more: a DELETE goes to whoever may SELECT from the table,
 * with its old row cut to the primary key when RLS is on (changes.ts). A table without a primary
 * key under RLS cannot be checked row by row, so only service_role sees its changes.
 */
import type { Sql } from '../../core/store/database.js';
import { quoteIdent } from '../provision-sql.js';
import { inRequestTransaction } from '../session.js';
import type { Caller } from './hub.js';
import type { RowChange } from './records.js';

export async function relationSecurity(sql: Sql, relationOid: number): Promise<boolean> {
  const [row] = await sql`SELECT relrowsecurity FROM pg_class WHERE oid = ${relationOid}`;
  return row?.relrowsecurity === true;
}

async function maySelect(sql: Sql, role: string, relationOid: number): Promise<boolean> {
  const [row] = await sql`SELECT has_table_privilege(${role}, ${relationOid}::oid, 'SELECT') AS ok`;
  return row?.ok === true;
}

export async function visibleTo(sql: Sql, caller: Caller, change: RowChange, rls: boolean): Promise<boolean> {
  try {
    if (!(await maySelect(sql, caller.role, change.relationOid))) return false;
    if (caller.role === 'service_role' || change.type === 'DELETE' || !rls) return true;
    const keys = change.keyColumns;
    const record = change.record ?? {};
    if (keys.length === 0 || keys.some((k) => record[k] === null || record[k] === undefined)) return false;
    const where = keys.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(' AND ');
    const text = `SELECT 1 FROM ${quoteIdent(change.schema)}.${quoteIdent(change.table)} WHERE ${where}`;
    const rows = await inRequestTransaction(sql, caller, { readOnly: true }, (tx) => tx.unsafe(text, keys.map((k) => record[k]!)));
    return rows.length > 0;
  } catch {
    // A policy that fails (a bad cast, a missing function) hides the row, as it would a SELECT's.
    return false;
  }
}
