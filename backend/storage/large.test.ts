/**
 * A 200 MB object up and down through /storage/v1 with supabase-js, generated and checked on the
 * fly on the client side, while the server (a child process) keeps its memory growth small:
 * bytes are streamed both ways, never held whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStorageTestProject, startChildStorageServer, type ChildStorageServer, type StorageTestProject } from './test-support.js';

const SIZE = 200 * 1024 * 1024;
const CHUNK = 1024 * 1024;
/**
 * The bound for DevFlow's growth while moving 1 GB; this test moves 200 MB each way.
 * Measured here: about 34 MB with 50 MB objects and 37 MB with 200 MB ones, so the growth is the
 * heap's young generation filling with transient chunks, not the object's size.
 */
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;

let t: StorageTestProject;
let child: ChildStorageServer;

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Restarts the peak counter (VmHWM) at the current resident size. */
async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

function generated(hash: ReturnType<typeof createHash>): Readable {
  const block = randomBytes(CHUNK);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return this.push(null);
      const chunk = Buffer.from(block);
      chunk.writeUInt32BE(sent / CHUNK, 0); // every chunk differs, so a misplaced one changes the hash
      sent += CHUNK;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

beforeAll(async () => {
  t = await createStorageTestProject();
  child = await startChildStorageServer(t);
});
afterAll(async () => {
  await child?.stop();
  await t?.dispose();
});

it('streams 200 MB up and down with small server memory growth', async () => {
  const supabase = createClient(child.url, t.project.keys.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never },
  });
  expect((await supabase.storage.createBucket('big')).error).toBeNull();
  // Warm up: modules loaded, pool connected, one small object each way.
  expect((await supabase.storage.from('big').upload('warm.bin', randomBytes(64 * 1024))).error).toBeNull();
  expect((await supabase.storage.from('big').download('warm.bin')).error).toBeNull();
  const before = await memoryOf(child.pid);
  await resetPeak(child.pid);

  const sent = createHash('sha256');
  const up = await supabase.storage.from('big').upload('large.bin', generated(sent), { contentType: 'application/octet-stream' });
  expect(up.error).toBeNull();
  const afterUpload = await memoryOf(child.pid);

  const { data: stream, error } = await supabase.storage.from('big').download('large.bin').asStream();
  expect(error).toBeNull();
  const received = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    received.update(chunk);
  }
  const afterDownload = await memoryOf(child.pid);

  expect(size).toBe(SIZE);
  expect(received.digest('hex')).toBe(sent.digest('hex'));
  const growth = Math.max(afterUpload.peak, afterDownload.peak) - before.rss;
  console.log(`storage server RSS ${(before.rss / 2 ** 20).toFixed(1)} MB before, peak ${(Math.max(afterUpload.peak, afterDownload.peak) / 2 ** 20).toFixed(1)} MB while moving 2 × 200 MB (growth ${(growth / 2 ** 20).toFixed(1)} MB)`);
  expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
});
