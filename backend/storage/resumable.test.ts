/**
 * Resumable uploads (TUS) at /storage/v1/upload/resumable, driven by tus-js-client as Supabase's
 * guide uses it: 6 MB chunks, Supabase's metadata names, the user's token, x-upsert.
 */
import { randomBytes } from 'node:crypto';
import { Upload, type UploadOptions } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { signUserToken } from './test-server.js';
import { createStorageTestProject, type StorageTestProject } from './test-support.js';

const ADA = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CHUNK = 6 * 1024 * 1024;

const POLICIES = `
  CREATE POLICY own_all ON storage.objects FOR ALL TO authenticated
    USING (auth.uid()::text = (storage.foldername(name))[1]) WITH CHECK (auth.uid()::text = (storage.foldername(name))[1]);
`;

let t: StorageTestProject;
let service: SupabaseClient;
let ada: SupabaseClient;

async function tusOptions(user: string, objectName: string, extra: Partial<UploadOptions> = {}): Promise<UploadOptions> {
  return {
    endpoint: `${t.server.url}/storage/v1/upload/resumable`,
    retryDelays: [],
    chunkSize: CHUNK,
    headers: { authorization: `Bearer ${await signUserToken(t.project, user)}`, apikey: t.project.keys.anonKey, 'x-upsert': 'true' },
    metadata: { bucketName: 'files', objectName, contentType: 'application/octet-stream', cacheControl: '3600' },
    ...extra,
  };
}

function runUpload(data: Buffer, options: UploadOptions): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(data, { ...options, onError: reject, onSuccess: () => resolve(upload) });
    upload.start();
  });
}

beforeAll(async () => {
  t = await createStorageTestProject({ setupSql: POLICIES });
  service = await t.client({ key: 'service_role' });
  ada = await t.client({ user: ADA });
  await service.storage.createBucket('files');
});
afterAll(async () => t?.dispose());

describe('resumable uploads', () => {
  it('uploads in 6 MB chunks into the user\'s folder, as a plain upload would', async () => {
    const data = randomBytes(2 * CHUNK + 12345);
    await runUpload(data, await tusOptions(ADA, `${ADA}/big.bin`));
    const { data: blob, error } = await ada.storage.from('files').download(`${ADA}/big.bin`);
    expect(error).toBeNull();
    expect(Buffer.from(await blob!.arrayBuffer()).equals(data)).toBe(true);
    const leftovers = (await t.files()).filter((f) => f.includes('/resumable/'));
    expect(leftovers).toEqual([]);
  });

  it('resumes an interrupted upload from the offset the server holds', async () => {
    const data = randomBytes(2 * CHUNK + 99);
    const options = await tusOptions(ADA, `${ADA}/resumed.bin`);
    const first = await new Promise<Upload>((resolve, reject) => {
      const upload: Upload = new Upload(data, {
        ...options,
        onError: reject,
        onChunkComplete: () => {
          void upload.abort().then(() => resolve(upload));
        },
      });
      upload.start();
    });
    expect(first.url).toMatch(/\/storage\/v1\/upload\/resumable\/[0-9a-f-]{36}$/);
    expect((await ada.storage.from('files').exists(`${ADA}/resumed.bin`)).data).toBe(false);
    let resumedFrom = -1;
    await runUpload(data, { ...options, uploadUrl: first.url, onProgress: (sent) => { if (resumedFrom < 0) resumedFrom = sent; } });
    expect(resumedFrom).toBeGreaterThanOrEqual(CHUNK);
    const { data: blob } = await ada.storage.from('files').download(`${ADA}/resumed.bin`);
    expect(Buffer.from(await blob!.arrayBuffer()).equals(data)).toBe(true);
  });

  it('refuses to create an upload into another user\'s folder, and to continue another user\'s upload', async () => {
    await expect(runUpload(randomBytes(100), await tusOptions(BOB, `${ADA}/bob.bin`))).rejects.toThrow(/403[\s\S]*row-level security/);
    const options = await tusOptions(ADA, `${ADA}/mine.bin`);
    const data = randomBytes(CHUNK + 1);
    const started = await new Promise<Upload>((resolve, reject) => {
      const upload: Upload = new Upload(data, { ...options, onError: reject, onChunkComplete: () => void upload.abort().then(() => resolve(upload)) });
      upload.start();
    });
    const bob = await tusOptions(BOB, `${ADA}/mine.bin`);
    await expect(runUpload(data, { ...bob, uploadUrl: started.url })).rejects.toThrow(/403/);
    expect((await service.storage.from('files').exists(`${ADA}/mine.bin`)).data).toBe(false);
  });

  it('holds the bucket\'s size limit at creation', async () => {
    await service.storage.updateBucket('files', { public: false, fileSizeLimit: 1000 });
    await expect(runUpload(randomBytes(2000), await tusOptions(ADA, `${ADA}/too-big.bin`))).rejects.toThrow(/413|exceeded/);
    await service.storage.updateBucket('files', { public: false, fileSizeLimit: null });
  });
});
