/**
 * The same service with its bytes in an S3-compatible bucket (DEVFLOW_STORAGE_S3_URL), against
 * s3rver, a local S3-compatible server: uploads of both kinds, ranges, replacement, copies,
 * removals and resumable uploads leave exactly the objects their rows name.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { SupabaseClient } from '@supabase/supabase-js';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStorageTestProject, type StorageTestProject } from './test-support.js';

let s3server: { run(): Promise<AddressInfo>; close(): Promise<void> };
let s3dir: string;
let s3: S3Client;
let t: StorageTestProject;
let service: SupabaseClient;

/** The keys in the S3 bucket under the project, as <kind>/<name>. */
async function storedKeys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'devflow', Prefix: `apps/${t.project.ref}/` }));
  return (listed.Contents ?? []).map((o) => o.Key!.split('/').slice(2).join('/')).sort();
}

async function rowVersions(): Promise<string[]> {
  const rows = await t.adminSql`SELECT version FROM storage.objects ORDER BY version`;
  return rows.map((r) => `objects/${r.version as string}`).sort();
}

beforeAll(async () => {
  s3dir = await mkdtemp(join(tmpdir(), 'devflow-s3rver-'));
  s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: 'devflow' }] });
  const { port } = await s3server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t = await createStorageTestProject({ s3Url: `http://S3RVER:S3RVER@127.0.0.1:${port}/devflow/apps` });
  service = await t.client({ key: 'service_role' });
  await service.storage.createBucket('files', { public: true, fileSizeLimit: '30MB' });
});
afterAll(async () => {
  await t?.dispose();
  await s3server?.close();
  await rm(s3dir, { recursive: true, force: true });
});

it('keeps bytes in the S3 bucket, one key per live object version', async () => {
  const big = randomBytes(20 * 1024 * 1024 + 7);
  expect((await service.storage.from('files').upload('big.bin', big)).error).toBeNull();
  expect((await service.storage.from('files').upload('small.txt', new Blob(['small'], { type: 'text/plain' }))).error).toBeNull();
  const down = await service.storage.from('files').download('big.bin');
  expect(Buffer.from(await down.data!.arrayBuffer()).equals(big)).toBe(true);
  const ranged = await fetch(service.storage.from('files').getPublicUrl('small.txt').data.publicUrl, { headers: { range: 'bytes=1-3' } });
  expect([ranged.status, await ranged.text()]).toEqual([206, 'mal']);
  expect(await storedKeys()).toEqual(await rowVersions());

  expect((await service.storage.from('files').upload('small.txt', 'replaced', { upsert: true })).error).toBeNull();
  expect((await service.storage.from('files').copy('small.txt', 'copy.txt')).error).toBeNull();
  expect(await (await service.storage.from('files').download('copy.txt')).data!.text()).toBe('replaced');
  expect((await service.storage.from('files').remove(['big.bin'])).data).toHaveLength(1);
  expect(await storedKeys()).toEqual(await rowVersions());
  expect(await storedKeys()).toHaveLength(2);
});

it('an oversized upload leaves no object or staging key behind', async () => {
  const before = await storedKeys();
  const tooBig = await service.storage.from('files').upload('huge.bin', randomBytes(31 * 1024 * 1024));
  expect(tooBig.error).toMatchObject({ statusCode: '413' });
  expect(await storedKeys()).toEqual(before);
});

it('a resumable upload lands in the bucket too', async () => {
  const data = randomBytes(7 * 1024 * 1024);
  await new Promise<void>((resolve, reject) => {
    new Upload(data, {
      endpoint: `${t.server.url}/storage/v1/upload/resumable`, retryDelays: [], chunkSize: 6 * 1024 * 1024,
      headers: { authorization: `Bearer ${t.project.keys.serviceRoleKey}` },
      metadata: { bucketName: 'files', objectName: 'tus.bin', contentType: 'application/octet-stream' },
      onError: reject, onSuccess: () => resolve(),
    }).start();
  });
  const down = await service.storage.from('files').download('tus.bin');
  expect(Buffer.from(await down.data!.arrayBuffer()).equals(data)).toBe(true);
  expect(await storedKeys()).toEqual(await rowVersions());
});
