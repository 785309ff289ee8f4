/**
 * pg:backups in an S3-compatible bucket (DEVFLOW_BACKUPS_URL) against s3rver, a local
 * S3-compatible server (in process, port 0), with the real PostgreSQL and pg_dump/pg_restore:
 * a capture lands as one object (nothing on disk), is listed and downloaded with its checksum,
 * restores the rows, a changed object is refused, and deleting a backup or the app removes its
 * objects.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName, type AppName } from '../../core/names.js';
import { parseS3Url } from '../../core/s3-url.js';
import { parseSecretKey } from '../../core/secrets.js';
import { AppDatabases, appDatabaseUrl } from '../../core/store/app-databases.js';
import { createApp } from '../../core/store/apps.js';
import { connect, type Sql } from '../../core/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { BackupPlaces, DiskBackups } from './files.js';
import { S3Backups } from './s3-files.js';
import { BackupService } from './service.js';

const secretKey = parseSecretKey('76'.repeat(32));
let db: TestDatabase;
let home: string;
let s3dir: string;
let s3server: { run(): Promise<AddressInfo>; close(): Promise<void> };
let s3: S3Client;
let databases: AppDatabases;
let backups: BackupService;
const apps: AppName[] = [];
const shop = parseAppName('shop');

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-backups-s3-'));
  s3dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-s3rver-'));
  s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: 'backups' }] });
  const { port } = await s3server.run();
  const location = parseS3Url(`http://S3RVER:S3RVER@127.0.0.1:${port}/backups/devflow-one?region=us-east-1`, 'DEVFLOW_BACKUPS_URL');
  s3 = new S3Client({ endpoint: location.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  databases = new AppDatabases(db.sql, secretKey);
  const places = new BackupPlaces([new S3Backups(location), new DiskBackups(path.join(home, 'backups'))]);
  backups = new BackupService({ sql: db.sql, serverUrl: db.url, databases, home, keep: 2, log: () => {}, places });
});

afterAll(async () => {
  for (const app of apps) await databases.drop(app).catch(() => {});
  await db?.drop();
  await s3server?.close();
  await fs.rm(s3dir, { recursive: true, force: true });
  await fs.rm(home, { recursive: true, force: true });
});

async function asApp(appId: number): Promise<Sql> {
  const server = new URL(db.url);
  return connect(appDatabaseUrl((await databases.find(appId))!, { host: server.hostname, port: Number(server.port) }), 1);
}

async function keys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'backups' }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

async function objectBytes(key: string): Promise<Buffer> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: 'backups', Key: key }));
  return Buffer.from(await Body!.transformToByteArray());
}

describe('pg:backups in an S3-compatible bucket', () => {
  let shopId: number;

  it('captures into the bucket: one object under the prefix, its size and checksum, nothing on disk', async () => {
    const app = await createApp(db.sql, shop);
    apps.push(app.name);
    shopId = app.id;
    await databases.ensure(app);
    const sql = await asApp(shopId);
    await sql.unsafe(`CREATE TABLE todos (id int PRIMARY KEY, title text); INSERT INTO todos VALUES (1, 'milk'), (2, 'bread')`);
    await sql.end();
    const backup = await backups.capture(shop);
    expect(backup).toMatchObject({ name: 'b001', state: 'succeeded', error: null });
    expect(await keys()).toEqual(['devflow-one/shop/b001.dump']);
    const stored = await objectBytes('devflow-one/shop/b001.dump');
    expect(stored.subarray(0, 5).toString()).toBe('PGDMP');
    expect(stored.length).toBe(backup.bytes);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(backup.sha256);
    await expect(fs.stat(path.join(home, 'backups', 'shop'))).rejects.toThrow(/ENOENT/);
    expect((await backups.list(shop)).map((b) => b.name)).toEqual(['b001']);
  });

  it('downloads the bytes from the bucket', async () => {
    const { backup, body } = await backups.download(shop, 1);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(backup.sha256);
  });

  it('restores from the bucket: the dropped table and its rows are back', async () => {
    const sql = await asApp(shopId);
    await sql.unsafe('DROP TABLE todos');
    await sql.end();
    const result = await backups.restore(shop, 1);
    expect(result.safety).toMatchObject({ name: 'b002', kind: 'safety', state: 'succeeded' });
    const after = await asApp(shopId);
    expect(await after`SELECT title FROM todos ORDER BY id`).toEqual([{ title: 'milk' }, { title: 'bread' }]);
    await after.end();
    expect(await keys()).toEqual(['devflow-one/shop/b001.dump', 'devflow-one/shop/b002.dump']);
    // The downloaded copy the restore read is gone.
    expect(await fs.readdir(path.join(home, 'backups', '.restoring'))).toEqual([]);
  });

  it('refuses an object changed in the bucket, and leaves the live data as it was', async () => {
    const bytes = await objectBytes('devflow-one/shop/b001.dump');
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: 'backups', Key: 'devflow-one/shop/b001.dump', Body: bytes }));
    await expect(backups.restore(shop, 1)).rejects.toThrow('backup b001 of shop does not match its checksum (the file changed after it was written); restore another backup');
    const sql = await asApp(shopId);
    expect(await sql`SELECT count(*)::int AS n FROM todos`).toEqual([{ n: 2 }]);
    await sql.end();
  });

  it("deletes a backup's object, and an app's removal takes the rest", async () => {
    await backups.remove(shop, 1);
    expect(await keys()).toEqual(['devflow-one/shop/b002.dump']);
    await backups.removeAll(shop);
    expect(await keys()).toEqual([]);
  });
});
