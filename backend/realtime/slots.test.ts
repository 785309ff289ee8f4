import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { releaseReplicationSlots } from '../../core/store/app-databases.js';
import { connect } from '../../core/store/database.js';
import { createTestDatabase, serverUrl, withDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { createSlot, dropLeftoverSlots, dropSlot, slotName, walLevel, walOverLimit, walRetained, walSize, walWarning } from './slots.js';

describe('the WAL limit of a slot', () => {
  it.each([
    [undefined, 1024, false],
    [{ bytes: 1024, lost: false }, 1024, false],
    [{ bytes: 1025, lost: false }, 1024, true],
    [{ bytes: 0, lost: true }, 1024, true],
  ])('%j over a limit of %d bytes: %s', (retained, limit, over) => {
    expect(walOverLimit(retained, limit)).toBe(over);
  });

  it.each([[1024 ** 3, '1 GB'], [1.5 * 1024 ** 3, '1.5 GB'], [12 * 1024 ** 2 + 5, '12 MB'], [64 * 1024, '64 kB']])('writes %d bytes as %s', (bytes, text) => {
    expect(walSize(bytes)).toBe(text);
  });

  it('warns with the slot, what it held and the limit', () => {
    expect(walWarning('shop', 'devflow_realtime_app_shop', { bytes: 3 * 1024 ** 2, lost: false }, 1024 ** 2)).toBe(
      'realtime shop: WARNING replication slot devflow_realtime_app_shop held 3 MB of WAL (limit 1 MB): '
      + 'postgres_changes fell behind; the slot is dropped and its subscribers are told');
    expect(walWarning('shop', 's', { bytes: 0, lost: true }, 1024 ** 3)).toContain('s lost its WAL (max_slot_wal_keep_size) (limit 1 GB)');
  });
});

describe('replication slots on the test run\'s PostgreSQL', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    ['app_shop_1a2b', 'devflow_realtime_app_shop_1a2b'],
    ['app_pv-0123456789ab_9', 'devflow_realtime_app_pv_0123456789ab_9'],
    ['x'.repeat(80), `devflow_realtime_${'x'.repeat(46)}`],
  ])('names the slot of database %s %s', (database, name) => {
    expect(slotName(database)).toBe(name);
  });

  it('runs with wal_level=logical, as the embedded server is started', async () => {
    expect(await walLevel(db.sql)).toBe('logical');
  });

  it('makes a slot, measures the WAL it holds, and drops it; leftovers go at start', async () => {
    const name = slotName(`${db.url.split('/').pop()}_t`);
    await createSlot(db.sql, name);
    await db.sql`CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 2000) g`;
    const held = await walRetained(db.sql, name);
    expect(held!.lost).toBe(false);
    expect(held!.bytes).toBeGreaterThan(400_000);
    // createSlot again starts afresh rather than failing on the name.
    await createSlot(db.sql, name);
    expect(await dropLeftoverSlots(db.sql)).toContain(name);
    expect(await walRetained(db.sql, name)).toBeUndefined();
    await dropSlot(db.sql, name);
  });

  it('lets an app database with an active slot be dropped (apps:destroy, previews) once its walsender is ended', async () => {
    const admin = connect(serverUrl(), 1);
    await admin.unsafe('CREATE DATABASE realtime_slot_drop');
    const target = connect(withDatabase(serverUrl(), 'realtime_slot_drop'), 1);
    await target.unsafe('CREATE PUBLICATION supabase_realtime');
    await createSlot(target, 'devflow_realtime_slot_drop');
    await target.end();
    const stream = new LogicalReplicationService({ connectionString: withDatabase(serverUrl(), 'realtime_slot_drop') });
    stream.on('error', () => {});
    const started = new Promise((resolve) => stream.once('start', resolve));
    stream.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: ['supabase_realtime'] }), 'devflow_realtime_slot_drop').catch(() => {});
    await started;
    await expect(admin.unsafe('DROP DATABASE realtime_slot_drop WITH (FORCE)')).rejects.toThrow(/active logical replication slot/);
    await releaseReplicationSlots(admin, 'realtime_slot_drop');
    await admin.unsafe('DROP DATABASE realtime_slot_drop WITH (FORCE)');
    expect(await admin`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'devflow_realtime_slot_drop'`).toHaveLength(0);
    await stream.destroy();
    await admin.end();
  });
});
