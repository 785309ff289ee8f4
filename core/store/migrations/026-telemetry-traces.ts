/**
 * Issue 18, traces (telemetry/README.md): per-app telemetry settings with the app's OTLP ingest
 * token (a hash to check it, and the token sealed, core/secrets.ts, so each release can be given
 * it), and the span store. `spans` is partitioned by day on start_time; telemetry/traces/store.ts
 * creates each day's partition on first write and drops whole partitions past DEVFLOW_TRACES_DAYS.
 * Indexes on the parent apply to every partition: trace by id, and an app's entry spans in a
 * window by duration (the slowest requests).
 */
import type { Migration } from './migration.js';

export const m026: Migration = {
  version: 26,
  name: 'telemetry traces',
  sql: `
      CREATE TABLE telemetry_apps (
        app_id integer PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
        ingest_token_hash text NOT NULL UNIQUE,
        sealed_ingest_token text NOT NULL,
        sample_ratio double precision,
        slow_ms double precision,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE spans (
        app_id integer NOT NULL,
        trace_id text NOT NULL,
        span_id text NOT NULL,
        parent_span_id text,
        entry boolean NOT NULL,
        name text NOT NULL,
        kind smallint NOT NULL,
        service text NOT NULL,
        start_time timestamptz NOT NULL,
        duration_us bigint NOT NULL,
        status_code smallint NOT NULL DEFAULT 0,
        http_status smallint,
        route text,
        release text,
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        events jsonb,
        resource jsonb
      ) PARTITION BY RANGE (start_time);
      CREATE INDEX spans_trace ON spans (trace_id);
      CREATE INDEX spans_app_entry_time ON spans (app_id, start_time) WHERE entry;
      CREATE INDEX spans_app_entry_slowest ON spans (app_id, duration_us DESC) WHERE entry;
    `,
};
