/**
 * The router's first request on each release (router/tracing/first-request.ts) into
 * release_first_requests (migration 091), where a deployment's phases find it as `first-request`
 * (core/store/deployment-phases.ts). Only the first report of a release is kept: a restarted
 * router that reports the current release again changes nothing. Releases made before this
 * writer started are skipped: their first request may have come while DevFlow was not watching,
 * so the first one seen now would not be the first one served.
 */
import type { Sql } from '../../core/store/database.js';
import type { FirstRequest, FirstRequestSink } from '../../router/index.js';

export class FirstRequestWriter implements FirstRequestSink {
  constructor(private readonly sql: Sql, private readonly since: Date = new Date()) {}

  async recordFirstRequest(first: FirstRequest): Promise<void> {
    await this.sql`
      INSERT INTO release_first_requests (app_id, release_version, started_at, duration_ms)
      SELECT a.id, r.version, ${new Date(first.startMs)}, ${Math.max(0, Math.round(first.durationMs))}
      FROM apps a JOIN releases r ON r.app_id = a.id AND r.version = ${first.release}
      WHERE a.name = ${first.app} AND r.created_at >= ${this.since}
      ON CONFLICT (app_id, release_version) DO NOTHING`;
  }
}
