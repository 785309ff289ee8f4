import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinCommand, layoutFromMounts, planCpuLimit, planLimits } from './process-limits.js';

describe('layoutFromMounts', () => {
  it.each([
    ['v1: memory and cpu mounted apart',
      'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
      { version: 1, memoryRoot: '/sys/fs/cgroup/memory', cpuRoot: '/sys/fs/cgroup/cpu' }],
    ['v1 with cpu,cpuacct together', 'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0',
      { version: 1, memoryRoot: '/sys/fs/cgroup/memory', cpuRoot: '/sys/fs/cgroup/cpu,cpuacct' }],
    ['v2 only', 'sysfs /sys sysfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0', { version: 2, root: '/sys/fs/cgroup' }],
    ['nothing', 'proc /proc proc rw 0 0', 'no cgroup file system is mounted'],
  ])('%s', (_name, mounts, expected) => expect(layoutFromMounts(mounts)).toEqual(expected));
});

describe('planCpuLimit', () => {
  it.each([
    ['v2: a cap', { version: 2, root: '/cg' } as const, 0.5, [{ file: '/cg/devflow/i-1/cpu.max', value: '50000 100000' }]],
    ['v2: lifted', { version: 2, root: '/cg' } as const, undefined, [{ file: '/cg/devflow/i-1/cpu.max', value: 'max 100000' }]],
    ['v1: a cap', { version: 1, memoryRoot: '/m', cpuRoot: '/c' } as const, 0.25,
      [{ file: '/c/devflow/i-1/cpu.cfs_period_us', value: '100000' }, { file: '/c/devflow/i-1/cpu.cfs_quota_us', value: '25000' }]],
    ['v1: lifted', { version: 1, memoryRoot: '/m', cpuRoot: '/c' } as const, undefined,
      [{ file: '/c/devflow/i-1/cpu.cfs_period_us', value: '100000' }, { file: '/c/devflow/i-1/cpu.cfs_quota_us', value: '-1' }]],
  ])('%s', (_name, layout, cpus, expected) => expect(planCpuLimit(layout, 'i-1', cpus)).toEqual(expected));
});

describe('planLimits', () => {
  it('v2: enables the controllers down to the group, then caps memory (no swap) and CPU', () => {
    expect(planLimits({ version: 2, root: '/cg' }, 'shop-web-v3-1-ab', { memoryMb: 256, cpus: 0.25 })).toEqual({
      dirs: ['/cg/devflow', '/cg/devflow/shop-web-v3-1-ab'],
      writes: [
        { file: '/cg/cgroup.subtree_control', value: '+memory +cpu' },
        { file: '/cg/devflow/cgroup.subtree_control', value: '+memory +cpu' },
        { file: '/cg/devflow/shop-web-v3-1-ab/memory.max', value: String(256 * 1024 * 1024) },
        { file: '/cg/devflow/shop-web-v3-1-ab/memory.swap.max', value: '0' },
        { file: '/cg/devflow/shop-web-v3-1-ab/cpu.max', value: '25000 100000' },
      ],
      join: ['/cg/devflow/shop-web-v3-1-ab/cgroup.procs'],
    });
  });

  it('v1: one group per controller tree', () => {
    const plan = planLimits({ version: 1, memoryRoot: '/m', cpuRoot: '/c' }, 'id-1', { memoryMb: 512, cpus: 2 });
    expect(plan.writes).toEqual([
      { file: '/m/devflow/id-1/memory.limit_in_bytes', value: String(512 * 1024 * 1024) },
      { file: '/c/devflow/id-1/cpu.cfs_period_us', value: '100000' },
      { file: '/c/devflow/id-1/cpu.cfs_quota_us', value: '200000' },
    ]);
    expect(plan.join).toEqual(['/m/devflow/id-1/cgroup.procs', '/c/devflow/id-1/cgroup.procs']);
  });

  it('writes only the limits asked for', () => {
    expect(planLimits({ version: 1, memoryRoot: '/m', cpuRoot: '/c' }, 'id-2', { memoryMb: 64 }).writes.map((w) => w.file))
      .toEqual(['/m/devflow/id-2/memory.limit_in_bytes']);
  });
});

describe('joinCommand', () => {
  it('writes its own pid to each file, then runs the command as the same process, arguments untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devflow-join-'));
    const procs = [join(dir, 'a procs'), join(dir, 'b')];
    const command = joinCommand(procs, { file: '/bin/sh', args: ['-c', 'echo "pid $$ arg $1"', 'x', '$(touch /tmp/never); "quoted"'] });
    const { stdout } = await execa(command.file, command.args);
    const pid = (await readFile(procs[0]!, 'utf8')).trim();
    expect(stdout).toBe(`pid ${pid} arg $(touch /tmp/never); "quoted"`);
    expect((await readFile(procs[1]!, 'utf8')).trim()).toBe(pid);
  });
});
