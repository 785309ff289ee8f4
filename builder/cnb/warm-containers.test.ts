import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_CLI } from '../docker-cli.js';
import { buildStack } from '../stack.js';
import { acquireContainer, CHANNEL_VIEW, IDLE_SECONDS, LEASE_VIEW, removeWarmContainers, takeable, type WarmSpec } from './warm-containers.js';

const docker = new Docker();
const scratch: string[] = [];

beforeAll(async () => {
  await buildStack({ docker, log: { line: () => undefined } });
});

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('takeable', () => {
  const now = 1_000_000_000;
  it.each([
    ['same image, idle a minute', { imageId: 'sha256:a', idleSince: now - 60_000 }, true],
    ['another build image', { imageId: 'sha256:old', idleSince: now - 60_000 }, false],
    ['idle almost as long as its watcher waits', { imageId: 'sha256:a', idleSince: now - (IDLE_SECONDS - 30) * 1000 }, false],
  ])('%s -> %s', (_, entry, expected) => {
    expect(takeable(entry, 'sha256:a', now)).toBe(expected);
  });
});

async function spec(): Promise<WarmSpec> {
  const root = await mkdtemp(join(tmpdir(), 'devflow-warm-'));
  scratch.push(root);
  const leaseDir = join(root, 'lease');
  const channelDir = join(root, 'channel');
  return { binds: [`${root}:/workspace`, `${leaseDir}:${LEASE_VIEW}:ro`, `${channelDir}:${CHANNEL_VIEW}`], leaseDir, channelDir, user: '0:0' };
}

const sh = async (id: string, script: string) => execa(DOCKER_CLI, ['exec', id, 'sh', '-c', script], { reject: false });

async function gone(id: string): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if ((await docker.listContainers({ all: true, filters: { id: [id] } })).length === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

describe('acquireContainer', () => {
  it('hands a kept container to the next build with nothing of the last one running or left in /tmp', async () => {
    const s = await spec();
    const first = await acquireContainer(docker, s);
    expect(first.reused).toBe(false);
    const id = first.warm.container.id;
    await sh(id, 'sleep 1000 >/dev/null 2>&1 & echo left >/tmp/leftover; mkdir /tmp/.hidden');
    expect((await sh(id, 'touch /etc/changed')).exitCode).not.toBe(0);
    await first.warm.keep();

    const second = await acquireContainer(docker, s);
    expect(second.reused).toBe(true);
    expect(second.warm.container.id).toBe(id);
    const procs = await sh(id, 'for p in /proc/[0-9]*; do tr "\\0" " " <$p/cmdline; echo; done');
    expect(procs.stdout).not.toContain('sleep 1000');
    expect((await sh(id, 'ls -A /tmp')).stdout).toBe('');
    await second.warm.remove();
    expect(await gone(id)).toBe(true);
  });

  it('gives a fresh container after a removal, and when the workspace (with the lease) was removed', async () => {
    const s = await spec();
    const first = await acquireContainer(docker, s);
    await first.warm.remove();
    const second = await acquireContainer(docker, s);
    expect(second.reused).toBe(false);
    expect(second.warm.container.id).not.toBe(first.warm.container.id);
    await second.warm.keep();
    await rm(s.leaseDir, { recursive: true, force: true });
    const third = await acquireContainer(docker, s);
    expect(third.reused).toBe(false);
    await third.warm.remove();
    expect(await gone(second.warm.container.id)).toBe(true);
  });

  it('ends an idle container by itself when its lease is gone', async () => {
    const s = await spec();
    const { warm } = await acquireContainer(docker, s);
    await warm.keep();
    await rm(s.leaseDir, { recursive: true, force: true });
    expect(await gone(warm.container.id)).toBe(true);
  });

  it('removes the idle ones when DevFlow stops', async () => {
    const { warm } = await acquireContainer(docker, await spec());
    await warm.keep();
    await removeWarmContainers();
    expect(await gone(warm.container.id)).toBe(true);
  });
});
