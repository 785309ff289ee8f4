/**
 * Realtime, Supabase-compatible (backend/README.md "Realtime"): `/realtime/v1/websocket` with
 * the Phoenix channel protocol (1.0.0 and 2.0.0), broadcast, presence, postgres_changes from
 * logical replication, private channels authorised by RLS on `realtime.messages`, and the HTTP
 * broadcast endpoint. Mounted by ../services.ts like the other services.
 */
import type { Sql } from '../../core/store/database.js';
import { rlsPrivateChannels } from './authorization.js';
import { ChangeFeeds } from './changes.js';
import { createRealtimeService, type RealtimeService } from './service.js';
import { dropLeftoverSlots } from './slots.js';

export { realtimeSchemaSql } from './schema-sql.js';
export type { RealtimeService } from './service.js';

export interface RealtimeOptions {
  /** The control plane's superuser pool and URL on the platform PostgreSQL (slots need that role). */
  sql: Sql;
  serverUrl: string;
  log(line: string): void;
  /** How long a project's replication feed outlives its last subscriber (default 10 s). */
  feedLingerMs?: number;
  /** The most WAL a project's replication slot may hold before it is dropped with a warning (default 1 GB). */
  maxRetainedWalBytes?: number;
  /** How often that is checked (default 60 s). */
  walCheckMs?: number;
}

export async function createRealtime(options: RealtimeOptions): Promise<RealtimeService> {
  const dropped = await dropLeftoverSlots(options.sql);
  if (dropped.length > 0) options.log(`realtime: dropped replication slots left by an earlier run: ${dropped.join(', ')}`);
  const changes = new ChangeFeeds({
    serverUrl: options.serverUrl, log: options.log, lingerMs: options.feedLingerMs,
    maxRetainedWalBytes: options.maxRetainedWalBytes, walCheckMs: options.walCheckMs,
  });
  return createRealtimeService({ changes, privateChannels: rlsPrivateChannels, log: options.log });
}
