/**
 * /storage/v1 end to end, judged by @supabase/supabase-js (unmodified) through the stand-in
 * gateway: buckets, objects, RLS on storage.objects as Supabase users write it, public and signed
 * URLs, limits and hostile names.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import { createStorageTestProject, type StorageTestProject } from './test-support.js';

const ADA = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

// Supabase's documented "a folder per user" policies.
const POLICIES = `
  CREATE POLICY own_read ON storage.objects FOR SELECT TO authenticated
    USING (bucket_id = 'avatars' AND auth.uid()::text = (storage.foldername(name))[1]);
  CREATE POLICY own_insert ON storage.objects FOR INSERT TO authenticated
    WITH CHECK (bucket_id = 'avatars' AND auth.uid()::text = (storage.foldername(name))[1]);
  CREATE POLICY own_update ON storage.objects FOR UPDATE TO authenticated
    USING (bucket_id = 'avatars' AND auth.uid()::text = (storage.foldername(name))[1]);
  CREATE POLICY own_delete ON storage.objects FOR DELETE TO authenticated
    USING (bucket_id = 'avatars' AND auth.uid()::text = (storage.foldername(name))[1]);
  CREATE POLICY buckets_visible ON storage.buckets FOR SELECT TO authenticated USING (true);
  CREATE POLICY dropbox_insert ON storage.objects FOR INSERT TO anon WITH CHECK (bucket_id = 'dropbox');
`;

let t: StorageTestProject;
let service: SupabaseClient;
let ada: SupabaseClient;
let bob: SupabaseClient;
let anon: SupabaseClient;

async function objectCount(where: { bucket?: string; name?: string; nameLike?: string }): Promise<number> {
  const rows = await t.adminSql`SELECT count(*)::int AS count FROM storage.objects
    WHERE (${where.bucket ?? null}::text IS NULL OR bucket_id = ${where.bucket ?? null})
      AND (${where.name ?? null}::text IS NULL OR name = ${where.name ?? null})
      AND (${where.nameLike ?? null}::text IS NULL OR name LIKE ${where.nameLike ?? null})`;
  return rows[0]?.count as number;
}

async function text(blob: Blob | null): Promise<string | undefined> {
  return blob ? blob.text() : undefined;
}

/** A raw request, for what fetch would normalise (`..`) before it reached the server. */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(t.server.url);
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  t = await createStorageTestProject({ setupSql: POLICIES });
  service = await t.client({ key: 'service_role' });
  ada = await t.client({ user: ADA });
  bob = await t.client({ user: BOB });
  anon = await t.client();
  expect((await service.storage.createBucket('avatars', { public: false })).error).toBeNull();
  expect((await service.storage.createBucket('docs', { public: true, fileSizeLimit: '1KB', allowedMimeTypes: ['text/*'] })).error).toBeNull();
});
afterAll(async () => t?.dispose());

describe('buckets', () => {
  it('lists, gets and updates buckets as Supabase answers them', async () => {
    const { data: list } = await service.storage.listBuckets();
    expect(list?.map((b) => [b.id, b.public])).toEqual([['avatars', false], ['docs', true]]);
    const { data: docs } = await service.storage.getBucket('docs');
    expect(docs).toMatchObject({ id: 'docs', name: 'docs', public: true, file_size_limit: 1024, allowed_mime_types: ['text/*'] });
    expect(await service.storage.updateBucket('docs', { public: true, fileSizeLimit: 2048, allowedMimeTypes: ['text/*'] }))
      .toEqual({ data: { message: 'Successfully updated' }, error: null });
    expect((await service.storage.getBucket('docs')).data?.file_size_limit).toBe(2048);
  });

  it('refuses what policies do not grant and what does not exist, with Supabase error bodies', async () => {
    const created = await anon.storage.createBucket('mine');
    expect(created.error).toMatchObject({ status: 400, statusCode: '403', message: 'new row violates row-level security policy' });
    const missing = await service.storage.getBucket('nope');
    expect(missing.error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
    const dup = await service.storage.createBucket('docs');
    expect(dup.error).toMatchObject({ statusCode: '409', message: 'The resource already exists' });
    const bad = await service.storage.createBucket('a/b');
    expect(bad.error).toMatchObject({ statusCode: '400', message: 'Bucket name invalid' });
    expect((await anon.storage.listBuckets()).data).toEqual([]);
  });

  it('empties and deletes a bucket, refusing to delete one with objects', async () => {
    await service.storage.createBucket('scratch');
    await service.storage.from('scratch').upload('a/one.txt', 'one');
    const busy = await service.storage.deleteBucket('scratch');
    expect(busy.error).toMatchObject({ statusCode: '409', message: 'The bucket you tried to delete is not empty' });
    expect((await service.storage.emptyBucket('scratch')).data).toEqual({ message: 'Successfully emptied' });
    expect((await service.storage.deleteBucket('scratch')).data).toEqual({ message: 'Successfully deleted' });
    expect((await service.storage.getBucket('scratch')).error?.statusCode).toBe('404');
  });
});

describe('a folder per user, decided by RLS on storage.objects', () => {
  beforeAll(async () => {
    const up = await ada.storage.from('avatars').upload(`${ADA}/me.png`, new Blob(['ada-avatar'], { type: 'image/png' }));
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: `${ADA}/me.png`, fullPath: `avatars/${ADA}/me.png` });
  });

  it('the owner reads, lists and overwrites her own file', async () => {
    const { data, error } = await ada.storage.from('avatars').download(`${ADA}/me.png`);
    expect(error).toBeNull();
    expect(await text(data)).toBe('ada-avatar');
    expect(data?.type).toBe('image/png');
    const listed = await ada.storage.from('avatars').list(ADA);
    expect(listed.data?.map((f) => [f.name, f.metadata?.size, f.metadata?.mimetype])).toEqual([['me.png', 10, 'image/png']]);
    const again = await ada.storage.from('avatars').upload(`${ADA}/me.png`, 'ada-v2', { upsert: true, contentType: 'image/png' });
    expect(again.error).toBeNull();
    expect(await text((await ada.storage.from('avatars').download(`${ADA}/me.png`)).data)).toBe('ada-v2');
  });

  it('another user cannot read, overwrite, list or remove it', async () => {
    const read = await bob.storage.from('avatars').download(`${ADA}/me.png`);
    expect(read.error).toMatchObject({ status: 400, statusCode: '404', message: 'Object not found' });
    const overwrite = await bob.storage.from('avatars').upload(`${ADA}/me.png`, 'bob was here', { upsert: true });
    expect(overwrite.error).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });
    const create = await bob.storage.from('avatars').upload(`${ADA}/other.png`, 'bob was here');
    expect(create.error).toMatchObject({ statusCode: '403' });
    expect((await bob.storage.from('avatars').list(ADA)).data).toEqual([]);
    expect((await bob.storage.from('avatars').list()).data).toEqual([]);
    expect((await bob.storage.from('avatars').remove([`${ADA}/me.png`])).data).toEqual([]);
    expect((await bob.storage.from('avatars').createSignedUrl(`${ADA}/me.png`, 60)).error?.statusCode).toBe('404');
    expect(await bob.storage.from('avatars').exists(`${ADA}/me.png`)).toMatchObject({ data: false });
    expect(await text((await ada.storage.from('avatars').download(`${ADA}/me.png`)).data)).toBe('ada-v2');
    expect((await bob.storage.from('avatars').upload(`${BOB}/me.png`, 'bob')).error).toBeNull();
    expect((await ada.storage.from('avatars').list()).data?.map((f) => f.name)).toEqual([ADA]);
  });

  it('an INSERT policy alone lets anyone drop a file they cannot read back', async () => {
    expect((await service.storage.createBucket('dropbox')).error).toBeNull();
    expect((await anon.storage.from('dropbox').upload('note.txt', 'for the team')).error).toBeNull();
    expect((await anon.storage.from('dropbox').upload('note.txt', 'again')).error).toMatchObject({ statusCode: '409' });
    expect((await anon.storage.from('dropbox').download('note.txt')).error).toMatchObject({ statusCode: '404' });
    expect(await text((await service.storage.from('dropbox').download('note.txt')).data)).toBe('for the team');
  });

  it('a refused upload leaves no row and no bytes', async () => {
    const before = (await t.files()).length;
    await bob.storage.from('avatars').upload(`${ADA}/x.png`, 'x'.repeat(5000));
    expect(await objectCount({ name: `${ADA}/x.png` })).toBe(0);
    expect((await t.files()).length).toBe(before);
  });
});

describe('objects', () => {
  const files = () => service.storage.from('avatars');

  it('uploads a raw body, answers info and exists, refuses a duplicate without upsert', async () => {
    const up = await files().upload('lib/a.txt', Buffer.from('alpha'), { contentType: 'text/plain', cacheControl: '60', metadata: { by: 'test' } });
    expect(up.error).toBeNull();
    const dup = await files().upload('lib/a.txt', 'again');
    expect(dup.error).toMatchObject({ statusCode: '409', message: 'The resource already exists' });
    const info = await files().info('lib/a.txt');
    expect(info.data).toMatchObject({ name: 'lib/a.txt', bucketId: 'avatars', size: 5, contentType: 'text/plain', cacheControl: 'max-age=60', metadata: { by: 'test' } });
    expect(await files().exists('lib/a.txt')).toEqual({ data: true, error: null });
    expect((await files().exists('lib/none.txt')).data).toBe(false);
    const res = await fetch(`${t.server.url}/storage/v1/object/avatars/lib/a.txt`, {
      headers: { apikey: t.project.keys.serviceRoleKey, range: 'bytes=1-3' },
    });
    expect([res.status, res.headers.get('content-range'), await res.text()]).toEqual([206, 'bytes 1-3/5', 'lph']);
  });

  it('updates, moves, copies and removes many', async () => {
    expect((await files().update('lib/a.txt', 'alpha-2')).error).toBeNull();
    expect((await files().move('lib/a.txt', 'lib/moved/a.txt')).data).toEqual({ message: 'Successfully moved' });
    expect((await files().download('lib/a.txt')).error?.statusCode).toBe('404');
    expect((await files().copy('lib/moved/a.txt', 'lib/b.txt')).data).toEqual({ path: 'avatars/lib/b.txt' });
    expect(await text((await files().download('lib/b.txt')).data)).toBe('alpha-2');
    const removed = await files().remove(['lib/moved/a.txt', 'lib/b.txt', 'lib/none']);
    expect(removed.data?.map((f) => f.name).sort()).toEqual(['lib/b.txt', 'lib/moved/a.txt']);
    expect((await files().list('lib')).data).toEqual([]);
  });

  it('lists one level with prefix, limit, offset, sort and search', async () => {
    for (const name of ['c.txt', 'a.txt', 'B.txt', 'sub/deep.txt', 'sub/more/deeper.txt']) {
      expect((await files().upload(`tree/${name}`, name)).error).toBeNull();
    }
    const names = async (options: Parameters<ReturnType<typeof files>['list']>[1], prefix = 'tree') =>
      (await files().list(prefix, options)).data?.map((f) => f.name);
    expect(await names({})).toEqual(['B.txt', 'a.txt', 'c.txt', 'sub']);
    expect(await names({ limit: 2, offset: 1 })).toEqual(['a.txt', 'c.txt']);
    expect(await names({ sortBy: { column: 'name', order: 'desc' } })).toEqual(['sub', 'c.txt', 'a.txt', 'B.txt']);
    expect(await names({ search: 'b' })).toEqual(['B.txt']);
    expect(await names({}, 'tree/sub')).toEqual(['deep.txt', 'more']);
    const folder = (await files().list('tree')).data?.find((f) => f.name === 'sub');
    expect(folder).toMatchObject({ id: null, metadata: null });
    // By a date, folders come first, then files newest first (uploaded c, a, B in that order).
    expect(await names({ sortBy: { column: 'created_at', order: 'desc' } })).toEqual(['sub', 'B.txt', 'a.txt', 'c.txt']);
  });

  it('holds a bucket to its size limit and MIME types, leaving nothing behind', async () => {
    const before = (await t.files()).length;
    const big = await service.storage.from('docs').upload('big.txt', 'x'.repeat(4096), { contentType: 'text/plain' });
    expect(big.error).toMatchObject({ statusCode: '413', message: 'The object exceeded the maximum allowed size' });
    const png = await service.storage.from('docs').upload('a.png', 'png', { contentType: 'image/png' });
    expect(png.error).toMatchObject({ statusCode: '415', message: 'mime type image/png is not supported' });
    expect(await objectCount({ bucket: 'docs' })).toBe(0);
    expect((await t.files()).length).toBe(before);
  });
});

describe('an upload the client abandons', () => {
  it('leaves no row, no object and no staging file', async () => {
    const before = await t.files();
    const url = new URL(t.server.url);
    const req = request({
      host: url.hostname, port: url.port, method: 'POST', path: '/storage/v1/object/avatars/lib/abandoned.bin',
      headers: { apikey: t.project.keys.serviceRoleKey, 'content-type': 'application/octet-stream', 'content-length': String(8 * 2 ** 20) },
    });
    req.on('error', () => {});
    req.write(Buffer.alloc(2 ** 20, 7));
    // Wait until the server is writing the staging file, then cut the connection.
    for (let i = 0; i < 200 && (await t.files()).length === before.length; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await t.files()).some((f) => f.includes('/staging/'))).toBe(true);
    req.destroy();
    for (let i = 0; i < 200 && (await t.files()).length !== before.length; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await t.files()).toEqual(before);
    expect(await objectCount({ name: 'lib/abandoned.bin' })).toBe(0);
  });
});

describe('public buckets and signed URLs', () => {
  beforeAll(async () => {
    await service.storage.from('docs').upload('readme.txt', 'hello world', { contentType: 'text/plain' });
    await service.storage.from('avatars').upload('private/secret.txt', 'secret', { contentType: 'text/plain' });
  });

  it('a public bucket serves without a key; a private one does not', async () => {
    const { publicUrl } = service.storage.from('docs').getPublicUrl('readme.txt').data;
    const res = await fetch(publicUrl);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/plain', 'hello world']);
    const dl = await fetch(service.storage.from('docs').getPublicUrl('readme.txt', { download: 'r.txt' }).data.publicUrl);
    expect(dl.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''r.txt");
    const hidden = await fetch(service.storage.from('avatars').getPublicUrl('private/secret.txt').data.publicUrl);
    expect(hidden.status).toBe(400);
    expect(await hidden.json()).toMatchObject({ statusCode: '404', error: 'Bucket not found', message: 'Bucket not found' });
    expect((await fetch(`${t.server.url}/storage/v1/object/avatars/private/secret.txt`)).status).toBe(401);
  });

  it('a signed URL works until it expires, then answers 400 with Supabase error', async () => {
    const { data, error } = await service.storage.from('avatars').createSignedUrl('private/secret.txt', 1);
    expect(error).toBeNull();
    const res = await fetch(data!.signedUrl);
    expect([res.status, await res.text()]).toEqual([200, 'secret']);
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(data!.signedUrl);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({ statusCode: '400', code: 'InvalidJWT', error: 'InvalidJWT', message: '"exp" claim timestamp check failed' });
  });

  it('refuses a tampered signature and a token for another object', async () => {
    const { data } = await service.storage.from('avatars').createSignedUrl('private/secret.txt', 60);
    const url = new URL(data!.signedUrl);
    const token = url.searchParams.get('token')!;
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    url.searchParams.set('token', `${token.slice(0, -2)}${last}${token.at(-1)}`);
    const tampered = await fetch(url);
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ statusCode: '400', error: 'InvalidJWT', message: 'signature verification failed' });
    const other = await fetch(`${t.server.url}/storage/v1/object/sign/docs/readme.txt?token=${token}`);
    expect(await other.json()).toMatchObject({ statusCode: '400', error: 'InvalidSignature' });
    const many = await service.storage.from('avatars').createSignedUrls(['private/secret.txt', 'private/none.txt'], 60);
    expect(many.data?.map((d) => [d.path, d.error === null])).toEqual([['private/secret.txt', true], ['private/none.txt', false]]);
    expect(await (await fetch(many.data![0]!.signedUrl!)).text()).toBe('secret');
  });

  it('a signed upload URL lets a keyless client upload once, as the signer', async () => {
    const { data, error } = await ada.storage.from('avatars').createSignedUploadUrl(`${ADA}/signed.txt`);
    expect(error).toBeNull();
    const up = await anon.storage.from('avatars').uploadToSignedUrl(`${ADA}/signed.txt`, data!.token, 'via signed url', { contentType: 'text/plain' });
    expect(up.error).toBeNull();
    expect(await text((await ada.storage.from('avatars').download(`${ADA}/signed.txt`)).data)).toBe('via signed url');
    const [row] = await t.adminSql`SELECT owner_id FROM storage.objects WHERE name = ${`${ADA}/signed.txt`}`;
    expect(row?.owner_id).toBe(ADA);
    const refused = await bob.storage.from('avatars').createSignedUploadUrl(`${ADA}/bob.txt`);
    expect(refused.error).toMatchObject({ statusCode: '403' });
  });
});

describe('hostile object names', () => {
  it.each([
    '/storage/v1/object/avatars/../docs/readme.txt',
    '/storage/v1/object/avatars/%2e%2e/%2e%2e/etc/passwd',
    '/storage/v1/object/avatars/a%2F..%2F..%2Fb',
    '/storage/v1/object/avatars/%252e%252e/x',
  ])('refuses %s with InvalidKey', async (path) => {
    const res = await rawRequest('POST', path, { apikey: t.project.keys.serviceRoleKey, 'content-type': 'text/plain' }, 'x');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: '400', error: 'InvalidKey' });
  });

  it('answers an unknown route with 404', async () => {
    const res = await fetch(`${t.server.url}/storage/v1/nope`, { headers: { apikey: t.project.keys.anonKey } });
    expect([res.status, await res.json()]).toEqual([404, { statusCode: '404', code: 'RouteNotFound', error: 'Not Found', message: 'Route GET:/storage/v1/nope not found' }]);
  });

  it('through supabase-js too, and nothing was stored', async () => {
    const up = await service.storage.from('avatars').upload('x%2F..%2F..%2Fy.txt', 'x');
    expect(up.error).toMatchObject({ status: 400, statusCode: '400' });
    expect(up.error?.message).toMatch(/^Invalid key: /);
    expect(await objectCount({ nameLike: '%..%' })).toBe(0);
  });
});
