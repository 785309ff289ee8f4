/**
 * Issue 3 end to end: Cloud Native Buildpacks by `git push`, on both runtimes. DevFlow's own
 * buildpacks deploy their examples; third-party style buildpacks (tests/fixtures/buildpacks)
 * run unchanged from inside the repository through project.toml; broken buildpacks, descriptors
 * and detection fail the push with a message naming the file or buildpack while the running
 * release keeps serving; a source-only push reuses the dependency layer, a lockfile change
 * rebuilds it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'buildpacks');

const PROJECT_TOML = [
  '[_]',
  'schema-version = "0.2"',
  'id = "fixture-app"',
  '',
  '[[io.buildpacks.build.env]]',
  'name = "BP_GREETING"',
  'value = "howdy"',
  '',
  '[[io.buildpacks.group]]',
  'uri = "cnb/meta"',
  '',
].join('\n');

/** The older descriptor layout (schema 0.1, no [_]), as many repositories and pack's examples write it. */
const LEGACY_PROJECT_TOML = [
  '[project]',
  'id = "legacy-layout"',
  'name = "Older layout"',
  '',
  '[build]',
  'builder = "cnbs/sample-builder:jammy"',
  'exclude = ["notes/", "tools/"]',
  '',
  '[[build.env]]',
  'name = "STAMP_WORD"',
  'value = "legacy"',
  '',
  '[[build.buildpacks]]',
  'uri = "tools/stamp-buildpack"',
  '',
  '[[build.buildpacks]]',
  'id = "example/inline"',
  '[build.buildpacks.script]',
  'api = "0.10"',
  'inline = "echo \\"inline saw $STAMP_WORD\\" > inline.txt"',
  '',
  '[[build.buildpacks]]',
  'id = "devflow/static"',
  '',
].join('\n');

describe.each(['docker', 'process'] as const)('buildpacks by git push on the %s runtime', (runtime) => {
  let devflow: DevflowProcess;
  let fixtureApp: Workdir;
  const host = (app: string) => `${app}.localhost`;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime });
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  async function push(repo: Workdir, app: string) {
    return pushTo(repo, devflow, app);
  }

  async function body(app: string): Promise<string> {
    return (await getViaRouter(devflow.httpPort, host(app))).body;
  }

  // Each example is built cold here once per runtime: the process runtime builds the slug
  // target, docker the image target. These also hold what builder/devflow-buildpacks.test.ts
  // asserted of the same cold builds through buildApp (the one buildpack chosen, its telling
  // build-log line, the body served), so the suite builds each example cold twice, not four times.
  it.each([
    ['python-hello', 'devflow/python', /Creating the virtualenv/],
    ['go-hello', 'devflow/go', /go build -o go-hello \./],
    ['node-yarn', 'devflow/nodejs', /Installing dependencies with yarn/],
    ['node-pnpm', 'devflow/nodejs', /Installing dependencies with pnpm/],
    ['node-engines', 'devflow/nodejs', /Installing Node\.js 22\.\d+\.\d+ \(engines\.node "22\.x"\) from node-linux-/],
    // A dependency that requires its own hoisted dependency from its real path in the layer.
    ['node-dist-main', 'devflow/nodejs', /Installing dependencies with npm/],
  ])('deploys the %s example, built with %s', async (example, buildpack, logLine) => {
    const repo = await repoFromExample(path.join(EXAMPLES, example));
    await devflow.cli(['apps:create', example]);
    const result = await push(repo, example);
    expect(result.exitCode, result.stderr).toBe(0);
    // The build's list of buildpacks, as the pipeline logs it (builder/build.ts result.buildpacks).
    expect(/remote: -----> Built with buildpacks \(([^)]*)\)/.exec(result.stderr)?.[1]).toBe(buildpack);
    expect(result.stderr).toMatch(logLine);
    const expected = (await fs.readFile(path.join(EXAMPLES, example, 'EXPECTED_BODY'), 'utf8')).trim();
    expect(await body(example)).toContain(expected);
  });

  it('runs third-party buildpacks from the repository (project.toml uri to a meta-buildpack) unchanged', async () => {
    fixtureApp = await repoFromExample(path.join(EXAMPLES, 'static-site'));
    await fs.cp(FIXTURES, path.join(fixtureApp.dir, 'cnb'), { recursive: true });
    await fixtureApp.write('project.toml', PROJECT_TOML);
    await fixtureApp.commit('build with the fixture buildpacks');
    await devflow.cli(['apps:create', 'fixture-app']);
    const result = await push(fixtureApp, 'fixture-app');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('remote: -----> Detected buildpacks: samples/hello-world@0.0.1, samples/processes@0.0.1');
    expect(result.stderr).toContain('remote: ---> Hello World buildpack');
    const served = JSON.parse(await body('fixture-app')) as Record<string, string>;
    expect(served).toMatchObject({ greeting: 'howdy from hello-world', extra: 'one,two', execd: 'set by exec.d' });
  });

  it('builds with an older-layout project.toml ([project], [build], [[build.buildpacks]], [[build.env]]) and a buildpack from a folder of the repository', async () => {
    const repo = await repoFromExample(path.join(EXAMPLES, 'static-site'));
    await repo.write('project.toml', LEGACY_PROJECT_TOML);
    await fs.mkdir(path.join(repo.dir, 'tools/stamp-buildpack/bin'), { recursive: true });
    await fs.mkdir(path.join(repo.dir, 'notes'));
    await repo.write('tools/stamp-buildpack/buildpack.toml', 'api = "0.10"\n\n[buildpack]\nid = "example/stamp"\nversion = "1.0.0"\n');
    await repo.write('tools/stamp-buildpack/bin/detect', '#!/bin/sh\nexit 0\n');
    await repo.write('tools/stamp-buildpack/bin/build', '#!/bin/sh\nset -e\necho "---> stamping with $STAMP_WORD"\nprintf "%s from the repository buildpack\\n" "$STAMP_WORD" >stamp.txt\n');
    await fs.chmod(path.join(repo.dir, 'tools/stamp-buildpack/bin/detect'), 0o755);
    await fs.chmod(path.join(repo.dir, 'tools/stamp-buildpack/bin/build'), 0o755);
    await repo.write('notes/private.txt', 'kept out of the build by [build] exclude\n');
    await repo.commit('older descriptor layout');
    await devflow.cli(['apps:create', 'legacy-layout']);
    const result = await push(repo, 'legacy-layout');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('remote: -----> Detected buildpacks: example/stamp@1.0.0, example/inline@0.0.0, devflow/static@0.1.0');
    expect(result.stderr).toContain('remote: -----> Warning: project.toml: builder is ignored');
    expect(result.stderr).toContain('remote: ---> stamping with legacy');
    const get = (p: string) => getViaRouter(devflow.httpPort, host('legacy-layout'), p);
    expect(await get('/stamp.txt')).toEqual({ status: 200, body: 'legacy from the repository buildpack\n' });
    expect(await get('/inline.txt')).toEqual({ status: 200, body: 'inline saw legacy\n' });
    expect((await get('/notes/private.txt')).status).toBe(404);
    expect((await get('/tools/stamp-buildpack/bin/build')).status).toBe(404);
  });

  const failures: [string, (repo: Workdir) => Promise<void>, RegExp][] = [
    ['a malformed project.toml', (r) => r.write('project.toml', '[[io.buildpacks.group]\nuri = "cnb/meta"\n'), /build failed: detect: project\.toml: not valid TOML/],
    [
      'a malformed buildpack.toml',
      (r) => r.write('cnb/meta/buildpack.toml', 'api = "0.10"\n[buildpack]\nid = "samples/meta"\nversion = "0.0.1"\n[[order]]\n'),
      /cnb\/meta\/buildpack\.toml \(in the repository\): order #1 has no \[\[order\.group\]\] entries/,
    ],
    ['a malformed launch.toml', (r) => r.write('project.toml', PROJECT_TOML.replace('cnb/meta', 'cnb/bad-launch')), /buildpack samples\/bad-launch wrote an invalid launch\.toml/],
    ['a buildpack that exits non-zero', (r) => r.write('project.toml', PROJECT_TOML.replace('cnb/meta', 'cnb/fails')), /buildpack samples\/fails@0\.0\.1: bin\/build exited 7/],
    [
      'no group passing detection',
      async (r) => {
        await fs.rm(path.join(r.dir, 'project.toml'));
        await fs.rm(path.join(r.dir, 'index.html'));
      },
      /no buildpack group passed detection \(tried devflow\/nodejs/,
    ],
  ];

  it.each(failures)('rejects a push with %s, naming it, and the running release keeps serving', async (_name, breakIt, message) => {
    await breakIt(fixtureApp);
    await fixtureApp.commit('break the build');
    const result = await push(fixtureApp, 'fixture-app');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('pre-receive hook declined');
    expect(JSON.parse(await body('fixture-app'))).toMatchObject({ greeting: 'howdy from hello-world' });
    await fixtureApp.git(['reset', '-q', '--hard', 'HEAD~1']);
  });

  it('a source-only push restores the dependency layer; a lockfile change rebuilds it', async () => {
    const repo = await repoFromExample(path.join(EXAMPLES, 'node-deps'));
    await devflow.cli(['apps:create', 'cached']);
    const first = await push(repo, 'cached');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('Installing dependencies with npm');
    const digest = (stderr: string) => /Layer devflow_nodejs\/node_modules: (\S+)/.exec(stderr)?.[1];

    await repo.write('server.js', (await fs.readFile(path.join(repo.dir, 'server.js'), 'utf8')).replace('node-deps says', 'cached says'));
    await repo.commit('source only');
    const second = await push(repo, 'cached');
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain('Restored cached layer devflow_nodejs/node_modules');
    expect(second.stderr).toContain('reusing node_modules layer (dependencies unchanged)');
    expect(second.stderr).not.toContain('Installing dependencies');
    if (runtime === 'docker') {
      expect(digest(second.stderr)).toMatch(/^sha256:/);
      expect(digest(second.stderr)).toBe(digest(first.stderr));
    }
    expect(await body('cached')).toContain('cached says');

    const lock = JSON.parse(await fs.readFile(path.join(repo.dir, 'package-lock.json'), 'utf8')) as { version: string };
    await repo.write('package-lock.json', JSON.stringify({ ...lock, version: '1.0.1' }, null, 2));
    await repo.commit('lockfile change');
    const third = await push(repo, 'cached');
    expect(third.exitCode, third.stderr).toBe(0);
    expect(third.stderr).toContain('Installing dependencies with npm');
    if (runtime === 'docker') expect(digest(third.stderr)).not.toBe(digest(first.stderr));
  });
});
