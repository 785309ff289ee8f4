/**
 * Provisioning of one project on its app's existing database (core/store/app-databases.ts):
 * the cluster's request roles, the owner's membership in them, the `auth` and `extensions`
 * schemas with the claim helpers and Supabase's default grants (provision-sql.ts), then the
 * services' own tables (the `auth` schema's users, sessions, ...). Runs as the control plane's
 * superuser; every statement is idempotent, so a run cut short completes on the next.
 */
import { connect, type Sql } from '../core/store/database.js';
import { clusterRolesSql, grantRequestRolesSql, projectDatabaseSql } from './provision-sql.js';
import { servicesSchemaSql } from './services.js';

/**
 * Raised when what provisioning creates changes; projects provisioned at a lower version are
 * provisioned again on their next load.
 */
export const PROVISION_VERSION = 2;

export interface ProvisionTarget {
  database: string;
  owner: string;
}

/** The superuser URL with another database. */
function onDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export async function provisionProject(server: { sql: Sql; url: string }, target: ProvisionTarget): Promise<void> {
  for (const statement of clusterRolesSql()) await server.sql.unsafe(statement);
  await server.sql.unsafe(grantRequestRolesSql(target.owner));
  const db = connect(onDatabase(server.url, target.database), 1);
  try {
    const statements = [...projectDatabaseSql(target.owner), ...(await servicesSchemaSql(target.owner))];
    await db.begin(async (tx) => {
      for (const statement of statements) await tx.unsafe(statement);
    });
  } finally {
    await db.end({ timeout: 5 });
  }
}
