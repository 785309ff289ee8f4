/**
 * Issue 18, log search (telemetry/logs/): the fields of structured (JSON object) log lines,
 * parsed once when a line is stored rather than at every search (docs/benchmarks.md, "Log
 * search", measures both), and the indexes a search over a million lines needs: the app and
 * time, the JSON fields (jsonb_path_ops serves `@>`), and trigrams of the line for terms and
 * phrases (`ILIKE '%…%'`) where pg_trgm is available. Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m029: Migration = {
  version: 29,
  name: 'log search',
  sql: `
      -- NULL unless the line is a JSON object. The exception block runs only for lines that
      -- start with "{", so plain text costs one comparison. Parallel unsafe: a parallel worker
      -- cannot start the subtransaction the exception block needs.
      CREATE FUNCTION devflow_log_fields(line text) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $fn$
      DECLARE parsed jsonb;
      BEGIN
        IF left(ltrim(line), 1) <> '{' THEN RETURN NULL; END IF;
        parsed := line::jsonb;
        IF jsonb_typeof(parsed) = 'object' THEN RETURN parsed; END IF;
        RETURN NULL;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END
      $fn$;
      ALTER TABLE runtime_logs ADD COLUMN fields jsonb GENERATED ALWAYS AS (devflow_log_fields(line)) STORED;
      CREATE INDEX runtime_logs_app_at_idx ON runtime_logs (app_id, at);
      CREATE INDEX runtime_logs_fields_idx ON runtime_logs USING gin (fields jsonb_path_ops);
      DO $trgm$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
          CREATE EXTENSION IF NOT EXISTS pg_trgm;
          CREATE INDEX runtime_logs_line_trgm_idx ON runtime_logs USING gin (line gin_trgm_ops);
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'pg_trgm needs a privileged role: log term searches scan instead of using an index';
      END
      $trgm$;
    `,
};
