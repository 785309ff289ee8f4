import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupExists, listingStillValid, ProcessPaths, readAllStates, readProcFile, readProcStat, removeState, writeState } from './process-state.js';

describe('readProcFile', () => {
  it('reads a /proc stat line as fs.readFile does', async () => {
    const [ours, theirs] = await Promise.all([readProcFile(`/proc/${process.pid}/stat`), readFile(`/proc/${process.pid}/stat`, 'utf8')]);
    // Fields that move while this process runs (its state letter, R or S, and CPU times) are left
    // out: compare pid, comm, ppid and pgrp, and that the state is a state letter.
    const stable = (line: string) => line.split(' ').filter((_, i) => [0, 1, 3, 4].includes(i));
    expect(stable(ours)).toEqual(stable(theirs));
    expect(ours.split(' ')[2]).toMatch(/^[RSDZTtWXIP]$/);
    expect(ours.endsWith('\n')).toBe(true);
    expect((await readProcStat(process.pid))?.pid).toBe(process.pid);
  });

  it('reads a file longer than its first buffer whole', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'proc-file-'));
    try {
      const text = 'x'.repeat(5000) + '\né\n';
      await writeFile(path.join(dir, 'long'), text);
      expect(await readProcFile(path.join(dir, 'long'))).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a gone process reads as null', async () => {
    expect(await readProcStat(2 ** 22 + 12345)).toBeNull();
  });
});

describe('groupExists', () => {
  it('finds this process group and no group for an unused id', () => {
    // The process group of this test process: field 5 of its stat line (the command name made one word).
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8').replace(/\(.*\)/, 'comm');
    expect(groupExists(Number(stat.split(' ')[4]))).toBe(true);
    expect(groupExists(2 ** 22 + 12345)).toBe(false);
  });
});


describe('listingStillValid', () => {
  const dir = { mtimeMs: 10_000, ctimeMs: 10_000, ino: 5 };
  it.each<[string, { mtimeMs: number; ctimeMs: number; ino: number; readAtMs: number }, typeof dir, boolean]>([
    ['unchanged, listed well after its last change', { ...dir, readAtMs: 12_000 }, dir, true],
    ['changed since', { ...dir, readAtMs: 12_000 }, { ...dir, mtimeMs: 12_500, ctimeMs: 12_500 }, false],
    ['another directory in its place', { ...dir, readAtMs: 12_000 }, { ...dir, ino: 6 }, false],
    ['listed in the second of its last change: a change then may not show, read again', { ...dir, readAtMs: 10_400 }, dir, false],
  ])('%s', (_name, listing, now, valid) => {
    expect(listingStillValid(listing, now)).toBe(valid);
  });
});

describe('readAllStates', () => {
  const state = (id: string) => ({
    id, app: 'web-app', release: 1, processType: 'web', slot: 1, pid: 100, pgid: 100, port: 5000, startTime: null, startedAt: new Date().toISOString(),
  });

  it('sees a state written or removed right after a listing, and again after the directory settled', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'states-'));
    try {
      const paths = new ProcessPaths(home);
      await paths.ensure();
      expect(await readAllStates(paths)).toEqual([]);
      await writeState(paths, state('a') as never);
      expect((await readAllStates(paths)).map((s) => s.id)).toEqual(['a']);
      await writeState(paths, state('b') as never);
      expect((await readAllStates(paths)).map((s) => s.id).sort()).toEqual(['a', 'b']);
      // Past the second in which the directory last changed: this listing is the one reused.
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await readAllStates(paths)).map((s) => s.id).sort()).toEqual(['a', 'b']);
      expect((await readAllStates(paths)).map((s) => s.id).sort()).toEqual(['a', 'b']);
      await removeState(paths, 'a');
      expect((await readAllStates(paths)).map((s) => s.id)).toEqual(['b']);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
