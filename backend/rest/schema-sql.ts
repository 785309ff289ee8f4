/**
 * What keeps the schema cache fresh: event triggers that NOTIFY after every DDL command in the
 * project's database. The REST service LISTENs on the project's pool and reloads its cache on
 * the next request (schema-store.ts). `NOTIFY pgrst, 'reload schema'`, which Supabase users
 * know from PostgREST, works too.
 *
 * Run as a superuser connected to the project's database (event triggers need one); idempotent.
 */
import { quoteIdent } from '../provision-sql.js';

export const SCHEMA_CHANNEL = 'devflow_rest_schema';

export function restSchemaSql(owner: string): string[] {
  const o = quoteIdent(owner);
  return [
    `CREATE OR REPLACE FUNCTION extensions.devflow_rest_schema_changed() RETURNS event_trigger
      LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${SCHEMA_CHANNEL}', 'reload schema'); END $$`,
    `ALTER FUNCTION extensions.devflow_rest_schema_changed() OWNER TO ${o}`,
    `DROP EVENT TRIGGER IF EXISTS devflow_rest_ddl_end`,
    `CREATE EVENT TRIGGER devflow_rest_ddl_end ON ddl_command_end EXECUTE FUNCTION extensions.devflow_rest_schema_changed()`,
    `DROP EVENT TRIGGER IF EXISTS devflow_rest_sql_drop`,
    `CREATE EVENT TRIGGER devflow_rest_sql_drop ON sql_drop EXECUTE FUNCTION extensions.devflow_rest_schema_changed()`,
  ];
}
