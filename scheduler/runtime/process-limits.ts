/**
 * Sizes (memory and CPU limits) for the process runtime, through Linux control groups: each
 * instance gets its own group `devflow/<instance id>` with a memory cap and a CPU quota, as the
 * docker runtime gets from the engine. cgroup v2 (one unified tree: memory.max, cpu.max) and v1
 * (memory and cpu controllers mounted apart: memory.limit_in_bytes, cpu.cfs_quota_us) are both
 * handled. Creating groups needs root (or a delegated tree); where that is not possible, e.g. a
 * laptop user, `detectCgroups` says why and sizes are not enforced, which `devflow up` prints.
 *
 * The planning is pure (planLimits); applying it is writing a few files.
 */
import { access, constants, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CPU_PERIOD_US = 100_000;
const GROUP = 'devflow';

export type CgroupLayout =
  | { version: 2; root: string }
  | { version: 1; memoryRoot: string; cpuRoot: string };

export interface Limits {
  memoryMb?: number;
  cpus?: number;
}

export interface LimitPlan {
  /** Group directories to create, parents first. */
  dirs: string[];
  /** Files to write, in order, before the process joins. */
  writes: Array<{ file: string; value: string }>;
  /** The cgroup.procs files the pid is written to. */
  join: string[];
}

/** What to create and write so that instance `id` runs within `limits`. */
export function planLimits(layout: CgroupLayout, id: string, limits: Limits): LimitPlan {
  const memory = limits.memoryMb === undefined ? undefined : String(Math.round(limits.memoryMb * 1024 * 1024));
  const quota = limits.cpus === undefined ? undefined : String(Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US)));
  if (layout.version === 2) {
    const parent = join(layout.root, GROUP);
    const [dir] = groupDirs(layout, id) as [string];
    return {
      dirs: [parent, dir],
      writes: [
        // Controllers must be enabled for the children of every level above the instance's group.
        { file: join(layout.root, 'cgroup.subtree_control'), value: '+memory +cpu' },
        { file: join(parent, 'cgroup.subtree_control'), value: '+memory +cpu' },
        ...(memory === undefined ? [] : [{ file: join(dir, 'memory.max'), value: memory }, { file: join(dir, 'memory.swap.max'), value: '0' }]),
        ...(quota === undefined ? [] : [{ file: join(dir, 'cpu.max'), value: `${quota} ${CPU_PERIOD_US}` }]),
      ],
      join: [join(dir, 'cgroup.procs')],
    };
  }
  const [memoryDir, cpuDir] = groupDirs(layout, id) as [string, string];
  return {
    dirs: [join(layout.memoryRoot, GROUP), memoryDir, join(layout.cpuRoot, GROUP), cpuDir],
    writes: [
      ...(memory === undefined ? [] : [{ file: join(memoryDir, 'memory.limit_in_bytes'), value: memory }]),
      ...(quota === undefined ? [] : [
        { file: join(cpuDir, 'cpu.cfs_period_us'), value: String(CPU_PERIOD_US) },
        { file: join(cpuDir, 'cpu.cfs_quota_us'), value: quota },
      ]),
    ],
    join: [join(memoryDir, 'cgroup.procs'), join(cpuDir, 'cgroup.procs')],
  };
}

/**
 * The writes that change a running instance's CPU quota in place (undefined: no cap), as
 * `docker update --cpus` does for a container: instances boot uncapped and get their size's cap
 * once healthy (scheduler/boot-limits.ts).
 */
export function planCpuLimit(layout: CgroupLayout, id: string, cpus: number | undefined): Array<{ file: string; value: string }> {
  const quota = cpus === undefined ? undefined : String(Math.max(1000, Math.round(cpus * CPU_PERIOD_US)));
  if (layout.version === 2) return [{ file: join(layout.root, GROUP, id, 'cpu.max'), value: `${quota ?? 'max'} ${CPU_PERIOD_US}` }];
  const dir = join(layout.cpuRoot, GROUP, id);
  return [
    { file: join(dir, 'cpu.cfs_period_us'), value: String(CPU_PERIOD_US) },
    { file: join(dir, 'cpu.cfs_quota_us'), value: quota ?? '-1' },
  ];
}

/** The instance's group directories, deepest first, for removal once its processes are gone. */
export function groupDirs(layout: CgroupLayout, id: string): string[] {
  return layout.version === 2
    ? [join(layout.root, GROUP, id)]
    : [join(layout.memoryRoot, GROUP, id), join(layout.cpuRoot, GROUP, id)];
}

/** Reads /proc/self/mounts: where the cgroup trees are, or why sizes cannot be enforced. */
export function layoutFromMounts(mounts: string): CgroupLayout | string {
  const lines = mounts.split('\n').map((l) => l.split(' '));
  const v1 = (controller: string) =>
    lines.find((f) => f[2] === 'cgroup' && (f[3] ?? '').split(',').includes(controller))?.[1];
  const memoryRoot = v1('memory');
  const cpuRoot = v1('cpu');
  if (memoryRoot !== undefined && cpuRoot !== undefined) return { version: 1, memoryRoot, cpuRoot };
  const unified = lines.find((f) => f[2] === 'cgroup2')?.[1];
  if (unified !== undefined) return { version: 2, root: unified };
  return 'no cgroup file system is mounted';
}

/** The layout DevFlow can create groups in, or the reason it cannot (then sizes are not enforced). */
export async function detectCgroups(): Promise<CgroupLayout | string> {
  if (process.platform !== 'linux') return `cgroups are Linux only (this is ${process.platform})`;
  const layout = layoutFromMounts(await readFile('/proc/self/mounts', 'utf8').catch(() => ''));
  if (typeof layout === 'string') return layout;
  const roots = layout.version === 2 ? [layout.root] : [layout.memoryRoot, layout.cpuRoot];
  for (const root of roots) {
    const writable = await access(root, constants.W_OK).then(() => true, () => false);
    if (!writable) return `${root} is not writable by this user (run DevFlow as root, or use the docker runtime)`;
  }
  if (layout.version === 2) {
    const controllers = await readFile(join(layout.root, 'cgroup.controllers'), 'utf8').catch(() => '');
    if (!/\bmemory\b/.test(controllers) || !/\bcpu\b/.test(controllers)) return `${layout.root} offers no memory and cpu controllers`;
  }
  return layout;
}

/** Creates the instance's groups with their limits; returns the cgroup.procs files to join. */
export async function prepareLimits(layout: CgroupLayout, id: string, limits: Limits): Promise<string[]> {
  // The CPU controller is enabled even for a group that boots uncapped, so a cap can come later.
  const plan = planLimits(layout, id, limits);
  for (const dir of plan.dirs) await mkdir(dir, { recursive: true });
  for (const { file, value } of plan.writes) {
    // Enabling controllers that are on already, or swap accounting a kernel lacks, is not an error.
    await writeFile(file, value).catch((err: NodeJS.ErrnoException) => {
      if (!file.endsWith('cgroup.subtree_control') && !file.endsWith('memory.swap.max')) throw err;
    });
  }
  return plan.join;
}

/**
 * The script that joins the groups, then becomes the instance's command (same pid), so the app
 * never runs a moment outside its limits. Paths and the command are arguments, never spliced
 * into the script: `sh -c SCRIPT devflow-limits <n> <procs files...> <file> <args...>`.
 */
export const JOIN_SCRIPT = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

export function joinCommand<C extends { file: string; args: string[] }>(procs: string[], command: C): C {
  return { ...command, file: '/bin/sh', args: ['-c', JOIN_SCRIPT, 'devflow-limits', String(procs.length), ...procs, command.file, ...command.args] };
}

/** Removes an instance's groups; a group still holding processes stays (rmdir refuses). */
export async function removeLimits(layout: CgroupLayout, id: string): Promise<void> {
  for (const dir of groupDirs(layout, id)) await rmdir(dir).catch(() => undefined);
}

/** Sets a running instance's CPU quota (undefined: no cap). */
export async function applyCpuLimit(layout: CgroupLayout, id: string, cpus: number | undefined): Promise<void> {
  for (const { file, value } of planCpuLimit(layout, id, cpus)) await writeFile(file, value);
}
