/**
 * The buildpacks strategy, shaped after the CNB lifecycle: prepare the workspace, detect,
 * restore the cache, build, save the cache, export. Each phase is its own module and they
 * pass files to each other; only this one knows the order.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../../core/errors.js';
import type { Artifact, LogSink } from '../../core/types.js';
import { hostTrust, trustEnv } from '../trust.js';
import { buildStack } from '../stack.js';
import { defaultBuildpacksDir, loadBuildpacks, loadOrder } from './buildpacks.js';
import { runBuildpacks } from './buildpack-run.js';
import { openContainerExecutor } from './container-executor.js';
import { detect } from './detect.js';
import { openHostExecutor, type Executor, type Workspace } from './executor.js';
import { exportImage, exportSlug } from './export.js';
import { listLayers, restoreCache, saveCache } from './layers.js';
import { mergeProcesses, parseProcfile } from './processes.js';

export interface LifecycleInput {
  sourceDir: string;
  target: 'image' | 'slug';
  workDir: string;
  cacheDir: string;
  env: Record<string, string>;
  log: LogSink;
  docker?: Docker;
  /** Image tag (image target). */
  tag: string;
  labels: Record<string, string>;
  /** Where the slug is written (slug target). */
  slugDir: string;
  buildpacksDir?: string;
}

export interface LifecycleResult {
  artifact: Artifact;
  buildpacks: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Platform env: one file per config var under `<platform>/env`, as the platform spec lays out. */
async function writePlatformEnv(platformDir: string, env: Record<string, string>): Promise<void> {
  await mkdir(join(platformDir, 'env'), { recursive: true });
  for (const [name, value] of Object.entries(env)) {
    if (ENV_NAME.test(name)) await writeFile(join(platformDir, 'env', name), value);
  }
}

async function prepareWorkspace(input: LifecycleInput): Promise<Workspace> {
  const root = input.target === 'slug' ? input.slugDir : input.workDir;
  if (input.target === 'slug') await rm(root, { recursive: true, force: true });
  const ws: Workspace = {
    appDir: join(root, 'app'),
    layersDir: join(root, 'layers'),
    buildpacksDir: input.buildpacksDir ?? defaultBuildpacksDir(),
    platformDir: join(input.workDir, 'platform'),
    scratchDir: join(input.workDir, 'scratch'),
    caFile: (await hostTrust()).caFile,
  };
  // The source tree is copied so buildpacks may write into the app dir (node_modules, dist/).
  await cp(input.sourceDir, ws.appDir, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('/.git') });
  await mkdir(ws.layersDir, { recursive: true });
  await mkdir(join(ws.scratchDir, 'home'), { recursive: true });
  await writePlatformEnv(ws.platformDir, input.env);
  return ws;
}

async function openExecutor(input: LifecycleInput, ws: Workspace): Promise<Executor> {
  if (input.target === 'slug') return openHostExecutor(ws);
  if (!input.docker) throw new BuildError('build', 'an image build needs a Docker engine');
  await buildStack({ docker: input.docker, log: input.log });
  return openContainerExecutor(input.docker, ws, input.log);
}

async function readProcfile(appDir: string) {
  const file = join(appDir, 'Procfile');
  return existsSync(file) ? parseProcfile(await readFile(file, 'utf8')) : null;
}

async function runPhases(input: LifecycleInput, ws: Workspace, exec: Executor): Promise<LifecycleResult> {
  const { log } = input;
  const [buildpacks, order] = await Promise.all([loadBuildpacks(ws.buildpacksDir), loadOrder(ws.buildpacksDir)]);
  const { group, plans } = await detect({ order, buildpacks, ws, exec, log });
  const cacheLayers = join(input.cacheDir, 'layers');
  const restored = await restoreCache(cacheLayers, ws.layersDir);
  if (restored.length > 0) log.line(`-----> Restored ${restored.length} cached layer(s)`);
  const trust = await hostTrust();
  const env = trustEnv(exec.view.caFile, trust.npmRegistry);
  const tables = await runBuildpacks({ group, plans, ws, exec, env, log });
  const processes = mergeProcesses(tables, await readProcfile(ws.appDir));
  await saveCache(ws.layersDir, cacheLayers);
  const ids = group.map((bp) => bp.id);
  const artifact =
    input.target === 'image'
      ? await exportImage({
          workDir: input.workDir,
          layersDir: ws.layersDir,
          layers: await listLayers(ws.layersDir),
          processes,
          tag: input.tag,
          labels: { ...input.labels, 'devflow.processes': JSON.stringify(processes), 'devflow.buildpacks': JSON.stringify(ids) },
          log,
        })
      : await exportSlug({ appDir: ws.appDir, layersDir: ws.layersDir, processes, log });
  return { artifact, buildpacks: ids };
}

export async function runLifecycle(input: LifecycleInput): Promise<LifecycleResult> {
  const ws = await prepareWorkspace(input);
  let exec: Executor | undefined;
  try {
    exec = await openExecutor(input, ws);
    return await runPhases(input, ws, exec);
  } catch (err) {
    // A failed slug build must not leave a half-made slug a runtime could pick up.
    if (input.target === 'slug') await rm(input.slugDir, { recursive: true, force: true });
    throw err;
  } finally {
    await exec?.close();
  }
}
