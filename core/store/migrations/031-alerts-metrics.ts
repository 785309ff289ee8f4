/**
 * Issue 18, alerts and metrics (telemetry/alerts/, telemetry/metrics/): alert rules with their
 * state (ok, pending, firing), and the notifications each change of state owes, kept until
 * delivered (an outbox: a change and its notification are written in one transaction, so each
 * is sent once even across restarts); and per-app, per-process-type metrics rolled up per
 * minute (kept a day) and per hour (kept 30 days). Never edit once landed.
 */
import type { Migration } from './migration.js';

export const m031: Migration = {
  version: 31,
  name: 'alerts and metrics',
  sql: `
      CREATE TABLE alert_rules (
        id serial PRIMARY KEY,
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        condition text NOT NULL,
        channel jsonb NOT NULL,
        status text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'pending', 'firing')),
        since timestamptz,
        last_value double precision,
        evaluated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX alert_rules_app_idx ON alert_rules (app_id);
      CREATE TABLE alert_notifications (
        id bigserial PRIMARY KEY,
        rule_id integer NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('firing', 'resolved')),
        value double precision,
        at timestamptz NOT NULL,
        delivered_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      );
      CREATE INDEX alert_notifications_undelivered_idx ON alert_notifications (rule_id, id) WHERE delivered_at IS NULL;
      CREATE TABLE app_metrics (
        app_id integer NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        process_type text NOT NULL,
        resolution text NOT NULL CHECK (resolution IN ('1m', '1h')),
        at timestamptz NOT NULL,
        requests bigint NOT NULL DEFAULT 0,
        status_1xx bigint NOT NULL DEFAULT 0,
        status_2xx bigint NOT NULL DEFAULT 0,
        status_3xx bigint NOT NULL DEFAULT 0,
        status_4xx bigint NOT NULL DEFAULT 0,
        status_5xx bigint NOT NULL DEFAULT 0,
        latency_buckets bigint[],
        latency_sum double precision NOT NULL DEFAULT 0,
        cpu_percent double precision,
        memory_mb double precision,
        instances integer,
        PRIMARY KEY (app_id, process_type, resolution, at)
      );
      CREATE INDEX app_metrics_age_idx ON app_metrics (resolution, at);
    `,
};
