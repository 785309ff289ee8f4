/**
 * Image transformations, judged by @supabase/supabase-js's `transform` options (download,
 * getPublicUrl, createSignedUrl) through the stand-in gateway; the sizes and formats are read
 * back from the served bytes with sharp.
 */
import sharp from 'sharp';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchStorageRoute, isKeylessStorageRequest } from './routes.js';
import { createStorageTestProject, type StorageTestProject } from './test-support.js';
import { parseTransform } from './transform.js';

describe('transform options', () => {
  it('defaults to cover, the original format and quality 80', () => {
    expect(parseTransform({ width: '100' })).toEqual({ width: 100, height: undefined, resize: 'cover', format: 'origin', quality: 80 });
  });
  it.each([
    [{ width: '0' }, /width must be/], [{ height: 2501 }, /height must be/], [{ width: '1.5' }, /width must be/],
    [{ resize: 'stretch' }, /resize must be/], [{ format: 'bmp' }, /format must be/], [{ quality: 10 }, /quality must be/],
  ])('refuses %j', (source, message) => expect(() => parseTransform(source)).toThrow(message));

  it('routes /render/image and serves public and signed renders without a key', () => {
    expect(matchStorageRoute('GET', '/render/image/public/pics/a%20b.png')).toEqual({ op: 'renderImage', bucket: 'pics', key: 'a b.png', access: 'public' });
    expect(matchStorageRoute('GET', '/render/image/sign/pics/a.png')).toEqual({ op: 'signedRender', bucket: 'pics', key: 'a.png' });
    expect(matchStorageRoute('POST', '/render/image/public/pics/a.png')).toEqual({ op: 'notFound' });
    expect(isKeylessStorageRequest('GET', '/render/image/public/pics/a.png')).toBe(true);
    expect(isKeylessStorageRequest('GET', '/render/image/authenticated/pics/a.png')).toBe(false);
  });
});

describe('image transformations through supabase-js', () => {
  let t: StorageTestProject;
  let service: SupabaseClient;
  const size = async (bytes: ArrayBuffer | Buffer) => {
    const meta = await sharp(Buffer.from(bytes as ArrayBuffer)).metadata();
    return { width: meta.width, height: meta.height, format: meta.format };
  };

  beforeAll(async () => {
    t = await createStorageTestProject();
    service = await t.client({ key: 'service_role' });
    const png = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#336699' } }).png().toBuffer();
    for (const bucket of ['pics', 'open']) {
      expect((await service.storage.createBucket(bucket, { public: bucket === 'open' })).error).toBeNull();
      expect((await service.storage.from(bucket).upload('photo.png', png, { contentType: 'image/png' })).error).toBeNull();
    }
    expect((await service.storage.from('pics').upload('notes.txt', 'not an image', { contentType: 'text/plain' })).error).toBeNull();
  });
  afterAll(async () => t?.dispose());

  it('downloads a resized copy (cover crops to the exact box)', async () => {
    const { data, error } = await service.storage.from('pics').download('photo.png', { transform: { width: 100, height: 100, resize: 'cover' } });
    expect(error).toBeNull();
    expect(await size(await data!.arrayBuffer())).toEqual({ width: 100, height: 100, format: 'png' });
  });

  it('serves a public URL with a transform to anyone, converting the format', async () => {
    const { data } = service.storage.from('open').getPublicUrl('photo.png', { transform: { width: 50, format: 'webp' as never, quality: 60 } });
    const res = await fetch(data.publicUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(await size(await res.arrayBuffer())).toEqual({ width: 50, height: 25, format: 'webp' });
  });

  it('seals the transform in a signed URL (contain keeps the ratio inside the box)', async () => {
    const { data, error } = await service.storage.from('pics').createSignedUrl('photo.png', 60, { transform: { width: 40, height: 80, resize: 'contain' } });
    expect(error).toBeNull();
    expect(data!.signedUrl).toContain('/render/image/sign/pics/photo.png?token=');
    const res = await fetch(data!.signedUrl);
    expect(await size(await res.arrayBuffer())).toEqual({ width: 40, height: 80, format: 'png' });
    const tampered = await fetch(data!.signedUrl.replace('pics/photo.png', 'open/photo.png'));
    expect(tampered.status).toBe(400);
  });

  it('answers 400 for options it cannot do and for objects that are not images', async () => {
    const bad = await service.storage.from('pics').download('photo.png', { transform: { width: 9000 } });
    expect(bad.error).toMatchObject({ status: 400 });
    const text = await service.storage.from('pics').download('notes.txt', { transform: { width: 10 } });
    expect(text.error).toMatchObject({ status: 400 });
  });
});
