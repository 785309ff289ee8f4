/**
 * Pushes that race: deployments of one app never build at once, a newer push replaces one
 * still waiting in the queue, and a push whose base moved is refused before it builds (git
 * would refuse its ref update anyway), so what serves always matches the branch.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/slow-build');

interface DeploymentView {
  id: number;
  state: string;
  reason: string | null;
}

describe('racing pushes to one app (process runtime)', () => {
  let devflow: DevflowProcess;
  let repo: Workdir;
  const commits: string[] = [];

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'process' });
    await devflow.cli(['apps:create', 'race']);
    repo = await repoFromExample(FIXTURE);
    commits.push((await repo.git(['rev-parse', 'HEAD'])).stdout.trim());
    for (const version of ['v2', 'v3']) {
      await repo.write('greeting.txt', `greeting ${version}\n`);
      commits.push(await repo.commit(version));
    }
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  const push = (sha: string) =>
    pushTo(repo, devflow, 'race', `${sha}:refs/heads/main`);
  const deployments = async () => JSON.parse((await devflow.cli(['deployments', 'race', '--json'])).stdout) as DeploymentView[];
  async function until(check: (list: DeploymentView[]) => boolean): Promise<void> {
    for (let i = 0; i < 600 && !check(await deployments()); i++) await new Promise((r) => setTimeout(r, 100));
  }

  it('the first push deploys, a queued one is replaced by a newer push, and the newest is refused because the branch moved', async () => {
    const first = push(commits[0]!);
    await until((list) => list.some((d) => d.state === 'building'));
    const second = push(commits[1]!);
    await until((list) => list.length === 2);
    const third = push(commits[2]!);
    const [a, b, c] = await Promise.all([first, second, third]);

    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode).not.toBe(0);
    expect(b.stderr).toContain('a newer push replaced it');
    expect(c.exitCode).not.toBe(0);
    expect(c.stderr).toContain('fetch, merge and push again');
    expect(c.stderr).not.toContain('-----> Building');
    expect((await getViaRouter(devflow.httpPort, 'race.localhost')).body).toBe('greeting v1\n');
    expect((await deployments()).map((d) => d.state)).toEqual(['failed', 'superseded', 'succeeded']);
  });

  it('pushed again on top of the deployed commit, the newest commit deploys', async () => {
    const again = await push(commits[2]!);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((await getViaRouter(devflow.httpPort, 'race.localhost')).body).toBe('greeting v3\n');
  });
});
