/**
 * Replication slots for postgres_changes (PostgreSQL manual, "Logical Decoding Concepts" and
 * "Replication Functions"). A logical slot belongs to one database, so each project with
 * subscribers has its own, named after its database. A slot keeps every WAL segment it has not
 * confirmed, so slots must never outlive their use: one is made when a project gets its first
 * subscriber, dropped when its last one leaves, when DevFlow stops, and, should DevFlow have
 * died, at the next start. The embedded server also caps what a slot may keep
 * (max_slot_wal_keep_size); `walRetained` lets the feed enforce DevFlow's own cap on servers
 * that have none.
 */
import type { Sql } from '../../core/store/database.js';

export const SLOT_PREFIX = 'devflow_realtime_';
/** The publication the feed reads: Supabase's, which apps add their tables to. */
export const PUBLICATION = 'supabase_realtime';
/**
 * A slot holding more WAL than this is dropped with a warning (its feed restarts clean): the
 * default of the change feed's `maxRetainedWalBytes`, the same as the embedded server's
 * max_slot_wal_keep_size.
 */
export const MAX_RETAINED_WAL_BYTES = 1024 ** 3;

/** A slot name is at most 63 characters of [a-z0-9_]. */
export function slotName(database: string): string {
  const cleaned = database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${SLOT_PREFIX}${cleaned}`.slice(0, 63);
}

export async function walLevel(sql: Sql): Promise<string> {
  const [row] = await sql`SELECT current_setting('wal_level') AS level`;
  return String(row!.level);
}

/**
 * Drops a slot, waiting for the walsender that used it to let go (its exit after the stream
 * closes is asynchronous). Gone already is fine.
 */
export async function dropSlot(sql: Sql, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const [slot] = await sql`SELECT active, active_pid FROM pg_replication_slots WHERE slot_name = ${name}`;
    if (!slot) return;
    if (!slot.active) {
      try {
        await sql`SELECT pg_drop_replication_slot(${name})`;
        return;
      } catch (err) {
        // 42704: dropped meanwhile; 55006: taken again meanwhile, so wait and retry.
        if ((err as { code?: string }).code === '42704') return;
        if ((err as { code?: string }).code !== '55006') throw err;
      }
    } else if (attempt === 20) {
      await sql`SELECT pg_terminate_backend(${slot.active_pid})`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replication slot ${name} stayed in use`);
}

/** Makes the slot afresh (a leftover of the same name is dropped first). */
export async function createSlot(sql: Sql, name: string): Promise<void> {
  await dropSlot(sql, name);
  await sql`SELECT pg_create_logical_replication_slot(${name}, 'pgoutput')`;
}

/** Inactive slots of ours left by a DevFlow that died: dropped at start, whatever their database. */
export async function dropLeftoverSlots(sql: Sql): Promise<string[]> {
  const rows = await sql`SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE ${`${SLOT_PREFIX}%`} AND NOT active`;
  const dropped: string[] = [];
  for (const row of rows) {
    try {
      await sql`SELECT pg_drop_replication_slot(${row.slot_name})`;
      dropped.push(String(row.slot_name));
    } catch {
      // Taken meanwhile: another DevFlow on the same server uses it.
    }
  }
  return dropped;
}

/** How much WAL the slot holds back, and whether PostgreSQL already gave it up (max_slot_wal_keep_size). */
export async function walRetained(sql: Sql, name: string): Promise<RetainedWal | undefined> {
  const [row] = await sql`
    SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::float8 AS bytes, wal_status
    FROM pg_replication_slots WHERE slot_name = ${name}`;
  return row ? { bytes: Number(row.bytes), lost: row.wal_status === 'lost' } : undefined;
}

export interface RetainedWal {
  bytes: number;
  lost: boolean;
}

/** Whether a slot must go: PostgreSQL gave its WAL up, or it holds more than `limit` bytes. */
export function walOverLimit(retained: RetainedWal | undefined, limit: number): boolean {
  return retained !== undefined && (retained.lost || retained.bytes > limit);
}

/** A size in the unit that reads best in a warning: "1.5 GB", "12 MB", "64 kB". */
export function walSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${Number((bytes / 1024 ** 3).toFixed(1))} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  return `${Math.round(bytes / 1024)} kB`;
}

/** The operator's warning when a slot is dropped for its WAL (changes.ts logs it). */
export function walWarning(ref: string, slot: string, retained: RetainedWal, limit: number): string {
  const held = retained.lost ? 'lost its WAL (max_slot_wal_keep_size)' : `held ${walSize(retained.bytes)} of WAL`;
  return `realtime ${ref}: WARNING replication slot ${slot} ${held} (limit ${walSize(limit)}): `
    + 'postgres_changes fell behind; the slot is dropped and its subscribers are told';
}
