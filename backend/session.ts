/**
 * One user request = one transaction in the role its token names, with the token's claims
 * readable by SQL (auth.uid(), auth.role(), auth.jwt(), current_setting('request.jwt.claims')),
 * as PostgREST does it, so row-level security policies written for Supabase apply unchanged.
 * `set_config(..., true)` is transaction-local: nothing leaks to the next user of the connection.
 */
import type postgres from 'postgres';
import type { Sql } from '../core/store/database.js';
import type { BackendRole, JwtClaims } from './contract.js';

export type RequestTransaction = postgres.TransactionSql;

export async function inRequestTransaction<T>(
  sql: Sql,
  who: { role: BackendRole; claims: JwtClaims },
  options: { readOnly: boolean },
  run: (tx: RequestTransaction) => Promise<T>,
): Promise<T> {
  const mode = options.readOnly ? 'read only' : 'read write';
  const result = await sql.begin(mode, async (tx) => {
    await tx`SELECT set_config('role', ${who.role}, true),
      set_config('request.jwt.claims', ${JSON.stringify(who.claims)}, true),
      set_config('request.jwt.claim.sub', ${who.claims.sub ?? ''}, true),
      set_config('request.jwt.claim.role', ${who.role}, true)`;
    return run(tx);
  });
  return result as T;
}
