/**
 * Issue 4, release phase for apps built from their own Dockerfile: a Procfile beside the
 * Dockerfile adds a `release` command (and other process types) that run under `/bin/sh -c` in the
 * built image, while web keeps the image's CMD. A failing release command fails the push and the
 * running release keeps serving. Docker runtime, real engine, real git push.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { cleanupRuntime } from '../support/cleanup.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/dockerfile-app');
const APP = 'dfproc';
const HOST = `${APP}.localhost`;

describe('a Dockerfile app with a Procfile on the docker runtime', () => {
  let devflow: DevflowProcess;
  let repo: Workdir;
  const push = () => pushTo(repo, devflow, APP);
  const body = async () => (await getViaRouter(devflow.httpPort, HOST)).body;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'docker' });
    repo = await repoFromExample(EXAMPLE);
    await devflow.cli(['apps:create', APP]);
    await devflow.cli(['config:set', APP, 'GREETING=hello there']);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
    const shas = repo ? (await repo.git(['rev-list', 'HEAD'])).stdout.split('\n').filter(Boolean) : [];
    for (const sha of shas) await execa('/usr/bin/docker', ['rmi', '-f', `devflow/${APP}:${sha.slice(0, 12)}`], { reject: false });
  });

  it('runs the release command in the new image with the config, then serves the image CMD', async () => {
    await repo.write('Procfile', 'release: echo "migrating for $DEVFLOW_RELEASE: $GREETING" && test -f /app/server.js\n');
    await repo.commit('a release phase');
    const result = await push();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('remote: -----> Procfile process types: release');
    expect(result.stderr).toContain('remote: -----> Running release command: echo "migrating for $DEVFLOW_RELEASE: $GREETING"');
    expect(result.stderr).toMatch(/remote: +migrating for v1: hello there/);
    expect(await body()).toBe('Hello from dockerfile-app, built from its own Dockerfile\n');
    const ps = JSON.parse((await devflow.cli(['ps', APP, '--json'])).stdout) as { instances: Array<{ type: string; state: string }> };
    expect(ps.instances.map((i) => `${i.type}:${i.state}`)).toEqual(['web:up']);
  });

  it('a failing release command fails the push, shows its output, and the old release keeps serving', async () => {
    await repo.write('Procfile', 'release: echo "schema check failed" >&2; exit 3\n');
    await repo.write('server.js', "require('node:http').createServer((q, s) => s.end('new body\\n')).listen(process.env.PORT);\n");
    await repo.commit('a broken release phase');
    const result = await push();
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/remote: +schema check failed/);
    expect(result.stderr).toContain('release command exited with code 3');
    expect(await body()).toBe('Hello from dockerfile-app, built from its own Dockerfile\n');
  });

  it('a Procfile web line replaces the image CMD', async () => {
    const server = String.raw`require('node:http').createServer((q, s) => s.end(process.env.GREETING + ' from the Procfile\n')).listen(process.env.PORT)`;
    await repo.write('Procfile', `web: exec node -e "${server}"\n`);
    await repo.commit('web from the Procfile');
    const result = await push();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await body()).toBe('hello there from the Procfile\n');
  });
});
