/**
 * The buildpacks strategy, shaped after the CNB lifecycle (Platform API 0.10, "Lifecycle
 * Interface"): prepare the workspace (app copy, project.toml, platform `env/`), detect, restore
 * (cache layers; metadata of launch layers), build, export, then save the cache. Each phase is
 * its own module and they pass files to each other (group.toml, plan.toml, layers); only this
 * one knows the order.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../../core/errors.js';
import type { Artifact, LogSink } from '../../core/types.js';
import { hostTrust, trustEnv } from '../trust.js';
import { buildStack } from '../stack.js';
import { defaultBuildpacksDir, escapeBuildpackId, loadBuildpacks, loadOrder } from './buildpacks.js';
import { runBuildpacks } from './buildpack-run.js';
import { openContainerExecutor } from './container-executor.js';
import { detect } from './detect.js';
import { openHostExecutor, type Executor, type Workspace } from './executor.js';
import { exportImage, exportSlug, orderLaunchLayers, type LaunchPlan } from './export.js';
import { listLayers, pruneToLaunchLayers, restoreLayers, reuseLaunchLayers, saveLayers } from './layers.js';
import { mergeProcessDefs, parseProcfile } from './processes.js';
import { applyIncludeExclude, projectOrder, readProject } from './project-apply.js';
import type { ProjectDescriptor } from './project.js';

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
  /** Ends the build (its time limit, DevFlow stopping): what runs is stopped and the build throws the signal's reason. */
  signal?: AbortSignal;
}

export interface LifecycleResult {
  artifact: Artifact;
  buildpacks: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Platform env: one file per user variable under `<platform>/env` (Platform API, "User-Provided Variables"). */
async function writePlatformEnv(platformDir: string, env: Record<string, string>): Promise<Record<string, string>> {
  await mkdir(join(platformDir, 'env'), { recursive: true });
  const written: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name) || name.startsWith('CNB_')) continue;
    await writeFile(join(platformDir, 'env', name), value);
    written[name] = value;
  }
  return written;
}

interface Prepared {
  ws: Workspace;
  project: ProjectDescriptor;
  userEnv: Record<string, string>;
}

type WorkspaceDirs = Pick<Workspace, 'appDir' | 'layersDir' | 'platformDir' | 'scratchDir'>;

/**
 * A slug is built where it will run. An image build works at stable paths in the app's cache
 * dir, so the app's warm build container, whose bind mounts name these directories, can serve
 * its next build; the directories stay (a bind mount holds the directory, not its path) and only
 * their contents are removed, before and after each build.
 */
function workspaceDirs(input: LifecycleInput): WorkspaceDirs {
  if (input.target === 'slug') {
    const scratch = { platformDir: join(input.workDir, 'platform'), scratchDir: join(input.workDir, 'scratch') };
    return { appDir: join(input.slugDir, 'app'), layersDir: join(input.slugDir, 'layers'), ...scratch };
  }
  const root = join(input.cacheDir, 'workspace');
  return { appDir: join(root, 'app'), layersDir: join(root, 'layers'), platformDir: join(root, 'platform'), scratchDir: join(root, 'scratch') };
}

/** The warm container's lease files and command channel live beside the image workspace, outside what is emptied. */
const warmDirs = (cacheDir: string) => ({ leaseDir: join(cacheDir, 'workspace', 'lease'), channelDir: join(cacheDir, 'workspace', 'channel') });

async function emptyDirs(dirs: WorkspaceDirs): Promise<void> {
  for (const dir of Object.values(dirs)) {
    await mkdir(dir, { recursive: true });
    for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/**
 * An image build's workspace is emptied after the build, off the deployment's path (the release
 * need not wait for its files to be removed); the app's next build waits for that first.
 */
const tidying = new Map<string, Promise<void>>();

function tidyLater(dirs: WorkspaceDirs): void {
  const key = dirs.appDir;
  const done = emptyDirs(dirs).catch(() => undefined).finally(() => {
    if (tidying.get(key) === done) tidying.delete(key);
  });
  tidying.set(key, done);
}

async function prepareWorkspace(input: LifecycleInput): Promise<Prepared> {
  const dirs = workspaceDirs(input);
  await tidying.get(dirs.appDir);
  if (input.target === 'slug') await rm(input.slugDir, { recursive: true, force: true });
  else await emptyDirs(dirs);
  const ws: Workspace = { ...dirs, buildpacksDir: input.buildpacksDir ?? defaultBuildpacksDir(), caFile: (await hostTrust()).caFile };
  // The source tree is copied so buildpacks may write into the app dir (node_modules, dist/).
  await cp(input.sourceDir, ws.appDir, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('/.git') });
  const project = await readProject(ws.appDir);
  for (const warning of project.warnings) input.log.line(`-----> Warning: ${warning}`);
  await applyIncludeExclude(ws.appDir, project);
  await mkdir(ws.layersDir, { recursive: true });
  await mkdir(join(ws.scratchDir, 'home'), { recursive: true });
  // project.toml build.env first, so the app's config vars win over what the repository says.
  const userEnv = await writePlatformEnv(ws.platformDir, { ...project.buildEnv, ...input.env });
  return { ws, project, userEnv };
}

async function openExecutor(input: LifecycleInput, ws: Workspace): Promise<Executor> {
  if (input.target === 'slug') return openHostExecutor(ws);
  if (!input.docker) throw new BuildError('build', 'an image build needs a Docker engine');
  await buildStack({ docker: input.docker, log: input.log });
  return openContainerExecutor(input.docker, ws, warmDirs(input.cacheDir), input.log);
}

async function readProcfile(appDir: string) {
  const file = join(appDir, 'Procfile');
  return existsSync(file) ? parseProcfile(await readFile(file, 'utf8')) : null;
}

function describeRestore(log: LogSink, report: Awaited<ReturnType<typeof restoreLayers>>): void {
  for (const l of report.cached) log.line(`-----> Restored cached layer ${l.bp}/${l.name}`);
  for (const l of report.metadataOnly) log.line(`-----> Restored metadata of launch layer ${l.bp}/${l.name}`);
}

async function runPhases(input: LifecycleInput, prepared: Prepared, exec: Executor): Promise<LifecycleResult> {
  const { log } = input;
  const { ws, userEnv } = prepared;
  const [buildpacks, defaults] = await Promise.all([loadBuildpacks(ws.buildpacksDir), loadOrder(ws.buildpacksDir)]);
  const order = await projectOrder(prepared.project, defaults, { sourceDir: input.sourceDir, scratchDir: ws.scratchDir, buildpacks });
  const { group, entries } = await detect({ order, buildpacks, ws, exec, userEnv, log });
  // Layers move out of the cache into the build; an image build's workspace is thrown away, so
  // they move back, while a slug keeps its launch layers, so those are copied back.
  const transfer = input.target === 'image' ? 'move' : 'copy';
  describeRestore(log, await restoreLayers(input.cacheDir, ws.layersDir));
  const trust = await hostTrust();
  const outputs = await runBuildpacks({ group, entries, ws, exec, env: trustEnv(exec.view.caFile, trust.npmRegistry), userEnv, log });
  // Nothing runs in the executor after the build phase: handing the build container back
  // overlaps the export (runLifecycle still waits for it before returning).
  input.signal?.throwIfAborted();
  void exec.release();
  const merged = mergeProcessDefs(outputs.map((o) => o.processes), await readProcfile(ws.appDir));
  const all = await listLayers(ws.layersDir);
  await reuseLaunchLayers(input.cacheDir, ws.layersDir, all);
  const plan: LaunchPlan = {
    merged,
    layers: orderLaunchLayers(await listLayers(ws.layersDir), group.map((bp) => escapeBuildpackId(bp.id))),
    group,
    labels: Object.assign({}, ...outputs.map((o) => o.labels)) as Record<string, string>,
  };
  let artifact: Artifact;
  if (input.target === 'image') {
    if (!input.docker) throw new BuildError('export', 'an image build needs a Docker engine');
    // Once the layer tars are written, the layers move back into the cache while the engine
    // loads the image. Should the load fail after all, the next build still finds them: they
    // were built, only the engine refused the image.
    const whileLoading = () => saveLayers(ws.layersDir, input.cacheDir, transfer);
    artifact = await exportImage({ workDir: input.workDir, cacheDir: input.cacheDir, appDir: ws.appDir, layersDir: ws.layersDir, plan, tag: input.tag, labels: input.labels, docker: input.docker, log, whileLoading });
  } else {
    await saveLayers(ws.layersDir, input.cacheDir, transfer);
    await pruneToLaunchLayers(ws.layersDir);
    artifact = await exportSlug({ appDir: ws.appDir, layersDir: ws.layersDir, plan, log });
  }
  return { artifact, buildpacks: group.map((bp) => bp.id) };
}

/**
 * The executor as the phases use it when the build can be ended: once the signal aborts, the
 * executor is closed (the host kills each command's process group, a container is removed with
 * all it runs), and the command that was running, or the next one, throws the signal's reason
 * instead of the failure its kill caused.
 */
function endingWith(exec: Executor, signal: AbortSignal): Executor {
  const stop = () => void exec.close();
  signal.addEventListener('abort', stop, { once: true });
  return {
    kind: exec.kind,
    view: exec.view,
    basePath: exec.basePath,
    run: async (command, log) => {
      signal.throwIfAborted();
      const outcome = await exec.run(command, log).catch((err: unknown) => {
        signal.throwIfAborted();
        throw err;
      });
      signal.throwIfAborted();
      return outcome;
    },
    release: () => exec.release(),
    close: () => {
      signal.removeEventListener('abort', stop);
      return exec.close();
    },
  };
}

export async function runLifecycle(input: LifecycleInput): Promise<LifecycleResult> {
  let exec: Executor | undefined;
  try {
    input.signal?.throwIfAborted();
    const prepared = await prepareWorkspace(input);
    exec = await openExecutor(input, prepared.ws);
    if (input.signal) exec = endingWith(exec, input.signal);
    return await runPhases(input, prepared, exec);
  } catch (err) {
    // A failed slug build must not leave a half-made slug a runtime could pick up.
    if (input.target === 'slug') await rm(input.slugDir, { recursive: true, force: true });
    throw err;
  } finally {
    await exec?.close();
    // Tidying must not hide the build's own error; the next build empties the workspace anyway.
    if (input.target === 'image') tidyLater(workspaceDirs(input));
  }
}
