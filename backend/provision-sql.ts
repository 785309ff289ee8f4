/**
 * The SQL that makes a project database look like a Supabase one to the code and policies
 * written for Supabase: the request roles, the `auth` and `extensions` schemas, the claim
 * helpers auth.uid(), auth.role(), auth.jwt(), auth.email(), and Supabase's default grants
 * (everything in `public` granted to the request roles; row-level security decides).
 *
 * The three request roles exist once per PostgreSQL cluster (roles are cluster-wide). They are
 * NOLOGIN and never get CONNECT on any database: a session reaches them only by SET ROLE from a
 * project's owner role, inside that project's own database, so one project's owner cannot use
 * them to reach another project's database (CONNECT is checked for the login role).
 */

export const REQUEST_ROLES = ['anon', 'authenticated', 'service_role'] as const;

/** Names come from core/store/app-databases.ts (letters, digits, `_`, `-`), quoted anyway. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Run as a superuser, on any database of the cluster. Safe to run concurrently and again. */
export function clusterRolesSql(): string[] {
  const create = (role: string, extra: string) => `DO $$ BEGIN
    CREATE ROLE ${role} NOLOGIN NOINHERIT ${extra};
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`;
  return [create('anon', ''), create('authenticated', ''), create('service_role', 'BYPASSRLS')];
}

/** Run as a superuser: lets the project's owner role switch into the request roles. */
export function grantRequestRolesSql(owner: string): string {
  return `GRANT anon, authenticated, service_role TO ${quoteIdent(owner)}`;
}

/** Run as a superuser connected to the project's database. Idempotent. */
export function projectDatabaseSql(owner: string): string[] {
  const o = quoteIdent(owner);
  const roles = REQUEST_ROLES.join(', ');
  return [
    `CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION ${o}`,
    `CREATE SCHEMA IF NOT EXISTS extensions AUTHORIZATION ${o}`,
    `GRANT USAGE ON SCHEMA public, auth, extensions TO ${roles}`,
    `CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$`,
    `CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
      SELECT nullif(coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), auth.jwt() ->> 'sub'), '')::uuid $$`,
    `CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), auth.jwt() ->> 'role') $$`,
    `CREATE OR REPLACE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
      SELECT auth.jwt() ->> 'email' $$`,
    `ALTER FUNCTION auth.jwt() OWNER TO ${o}`,
    `ALTER FUNCTION auth.uid() OWNER TO ${o}`,
    `ALTER FUNCTION auth.role() OWNER TO ${o}`,
    `ALTER FUNCTION auth.email() OWNER TO ${o}`,
    `GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email() TO ${roles}`,
    `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${roles}`,
    `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${roles}`,
    `GRANT ALL ON ALL FUNCTIONS IN SCHEMA public TO ${roles}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${o} IN SCHEMA public GRANT ALL ON TABLES TO ${roles}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${o} IN SCHEMA public GRANT ALL ON SEQUENCES TO ${roles}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${o} IN SCHEMA public GRANT ALL ON FUNCTIONS TO ${roles}`,
  ];
}
