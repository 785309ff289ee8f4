/**
 * The `realtime` schema as Supabase provisions it, so policies and migrations written for
 * Supabase work unchanged: `realtime.messages`, on which RLS policies decide who may read from
 * and write to private channels (Supabase's "Realtime Authorization"), `realtime.topic()` for
 * those policies, and the `supabase_realtime` publication, empty until the app adds its tables
 * (`ALTER PUBLICATION supabase_realtime ADD TABLE todos`, as on Supabase), owned by the
 * project's owner so its migrations may alter it. Run as a superuser; idempotent.
 */
import { quoteIdent, REQUEST_ROLES } from '../provision-sql.js';

export function realtimeSchemaSql(owner: string): string[] {
  const o = quoteIdent(owner);
  const roles = REQUEST_ROLES.join(', ');
  return [
    `CREATE SCHEMA IF NOT EXISTS realtime AUTHORIZATION ${o}`,
    `CREATE TABLE IF NOT EXISTS realtime.messages (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      extension text NOT NULL,
      event text,
      payload jsonb,
      private boolean DEFAULT false,
      inserted_at timestamp NOT NULL DEFAULT now(),
      updated_at timestamp NOT NULL DEFAULT now()
    )`,
    `ALTER TABLE realtime.messages OWNER TO ${o}`,
    `ALTER SEQUENCE realtime.messages_id_seq OWNER TO ${o}`,
    'ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY',
    `CREATE OR REPLACE FUNCTION realtime.topic() RETURNS text LANGUAGE sql STABLE AS $$
      SELECT nullif(current_setting('realtime.topic', true), '')::text $$`,
    `ALTER FUNCTION realtime.topic() OWNER TO ${o}`,
    `GRANT USAGE ON SCHEMA realtime TO ${roles}`,
    `GRANT SELECT, INSERT ON realtime.messages TO ${roles}`,
    `GRANT USAGE ON SEQUENCE realtime.messages_id_seq TO ${roles}`,
    `GRANT EXECUTE ON FUNCTION realtime.topic() TO ${roles}`,
    `DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime') THEN
        CREATE PUBLICATION supabase_realtime;
      END IF;
    END $$`,
    `ALTER PUBLICATION supabase_realtime OWNER TO ${o}`,
  ];
}
