/** Removes what an end-to-end run left behind: its containers, Swarm services and host processes. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export async function cleanupRuntime(home: string | undefined): Promise<void> {
  if (!home) return;
  const dir = path.join(home, 'run', 'instances');
  for (const file of await fs.readdir(dir).catch(() => [] as string[])) {
    try {
      const state = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { pgid?: number; pid: number };
      process.kill(-(state.pgid ?? state.pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Swarm services first (else Swarm replaces their removed tasks); they carry the home too.
  const services = (await execa('/usr/bin/docker', ['service', 'ls', '-q', '--filter', `label=devflow.home=${home}`], { reject: false })).stdout;
  const serviceIds = services.split('\n').filter(Boolean);
  if (serviceIds.length > 0) await execa('/usr/bin/docker', ['service', 'rm', ...serviceIds], { reject: false });
  // Only containers made by this run's DevFlow: they carry its home in the devflow.home label. Never those of
  // another DevFlow, nor unlabelled ones: a file running beside this one may own them.
  const ids = (await execa('/usr/bin/docker', ['ps', '-aq', '--filter', `label=devflow.home=${home}`], { reject: false })).stdout;
  const containers = ids.split('\n').filter(Boolean);
  if (containers.length > 0) await execa('/usr/bin/docker', ['rm', '-f', ...containers], { reject: false });
  await fs.rm(home, { recursive: true, force: true });
}
