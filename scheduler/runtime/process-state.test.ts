import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupExists, readProcFile, readProcStat } from './process-state.js';

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

