/**
 * Export phase (Buildpack API 0.10, "Phase #6: Export"; Platform API 0.10 labels
 * `io.buildpacks.build.metadata`). Image: the stack's run image plus one image layer per launch
 * layer at /layers/<bp>/<layer>, then the app at /workspace, then the launcher in /cnb as
 * entrypoint (image-archive.ts writes and loads them); labels record buildpacks and processes.
 * Slug: the workspace itself, pruned to launch layers, with the same launcher in `<slug>/cnb`;
 * each process runs through it, so both runtimes start processes the same way.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { Artifact, LogSink, ProcessTable } from '../../core/types.js';
import { APP_UID, RUN_IMAGE } from '../stack.js';
import type { Buildpack } from './buildpacks.js';
import { exportArchive, inspectBaseImage } from './image-archive.js';
import type { LayerSource } from './layer-tar.js';
import { envModifications, type EnvLayer } from './layer-env.js';
import { EXECD_HELPER, renderEnvScript, renderLauncher, renderProcessScript, type LaunchLayout } from './launcher.js';
import type { Layer } from './layers.js';
import { processTable, shellQuote, type MergedProcesses, type ProcessDef } from './processes.js';

export const IMAGE_LAYOUT = { cnbDir: '/cnb', appDir: '/workspace', layersDir: '/layers' };

export interface LaunchPlan {
  merged: MergedProcesses;
  /** Launch layers in group order (each buildpack's by name). */
  layers: Layer[];
  group: Buildpack[];
  labels: Record<string, string>;
}

/** Launch layers ordered as the group ran (the spec's order for env and exec.d). */
export function orderLaunchLayers(layers: Layer[], groupDirs: string[]): Layer[] {
  return groupDirs.flatMap((bp) => layers.filter((l) => l.bp === bp && l.types.launch).sort((a, b) => a.name.localeCompare(b.name)));
}

async function execdPrograms(hostLayersDir: string, viewLayersDir: string, layers: Layer[], type: string): Promise<string[]> {
  const programs: string[] = [];
  for (const sub of ['', `/${type}`]) {
    for (const l of layers) {
      const dir = join(hostLayersDir, l.bp, l.name, `exec.d${sub}`);
      if (!existsSync(dir)) continue;
      for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
        programs.push(`${viewLayersDir}/${l.bp}/${l.name}/exec.d${sub}/${entry.name}`);
      }
    }
  }
  return programs;
}

/** Writes launcher, env.sh, process scripts and the exec.d helper into `cnbHostDir`. */
export async function writeLaunchDir(opts: {
  cnbHostDir: string;
  hostLayersDir: string;
  layout: LaunchLayout & { layersDir: string };
  plan: LaunchPlan;
}): Promise<void> {
  const { cnbHostDir, hostLayersDir, layout, plan } = opts;
  await rm(cnbHostDir, { recursive: true, force: true });
  await mkdir(join(cnbHostDir, 'process'), { recursive: true });
  const envLayers: EnvLayer[] = plan.layers.map((l) => ({ bp: l.bp, hostDir: join(hostLayersDir, l.bp, l.name), viewDir: `${layout.layersDir}/${l.bp}/${l.name}` }));
  await writeFile(join(cnbHostDir, 'env.sh'), renderEnvScript(await envModifications(envLayers, 'launch')));
  for (const p of plan.merged.processes) {
    const mods = await envModifications(envLayers, 'launch', p.type);
    const execd = await execdPrograms(hostLayersDir, layout.layersDir, plan.layers, p.type);
    await writeFile(join(cnbHostDir, 'process', p.type), renderProcessScript(p, mods, execd, layout), { mode: 0o755 });
  }
  await writeFile(join(cnbHostDir, 'launcher'), renderLauncher(layout, plan.merged.defaultType), { mode: 0o755 });
  await writeFile(join(cnbHostDir, 'execd.cjs'), EXECD_HELPER);
  await chmod(join(cnbHostDir, 'launcher'), 0o755);
}

/** The `io.buildpacks.build.metadata` label (Platform API 0.10, "Labels"). */
export function buildMetadataLabel(plan: LaunchPlan): string {
  return JSON.stringify({
    processes: plan.merged.processes.map((p: ProcessDef) => ({
      type: p.type,
      command: p.command,
      args: p.args,
      direct: p.direct,
      ...(p.workingDir ? { 'working-dir': p.workingDir } : {}),
      buildpackID: p.buildpackId,
    })),
    buildpacks: plan.group.map((bp) => ({ id: bp.id, version: bp.version, ...(bp.homepage ? { homepage: bp.homepage } : {}) })),
    launcher: { version: 'devflow-sh-1' },
  });
}

export function imageLabels(plan: LaunchPlan, base: Record<string, string>, table: ProcessTable): Record<string, string> {
  return {
    ...plan.labels,
    ...base,
    'io.buildpacks.build.metadata': buildMetadataLabel(plan),
    'devflow.processes': JSON.stringify(table),
    'devflow.buildpacks': JSON.stringify(plan.group.map((bp) => bp.id)),
    'devflow.layers': JSON.stringify(plan.layers.map((l) => `${l.bp}/${l.name}`)),
  };
}

/**
 * The image's layers in order: each launch layer, the launcher, then the app (owned by the app
 * user) last, so a source-only change leaves every layer below it, the launcher's too, as it was.
 */
export function exportLayers(opts: { layersDir: string; appDir: string; cnbDir: string; layers: Layer[] }): LayerSource[] {
  return [
    ...opts.layers.map((l) => ({ name: `${l.bp}/${l.name}`, hostDir: join(opts.layersDir, l.bp, l.name), imagePath: `${IMAGE_LAYOUT.layersDir}/${l.bp}/${l.name}`, owner: 0 })),
    { name: 'launcher', hostDir: opts.cnbDir, imagePath: IMAGE_LAYOUT.cnbDir, owner: 0 },
    { name: 'app', hostDir: opts.appDir, imagePath: IMAGE_LAYOUT.appDir, owner: APP_UID },
  ];
}

/** The id of the app's last exported image, kept in its cache dir: what the next load need not send again. */
const lastImageFile = (cacheDir: string) => join(cacheDir, 'last-image');

/** The layer tars of the app's last export with their fingerprints, reused while a layer's tree is unchanged. */
const layerTarsDir = (cacheDir: string) => join(cacheDir, 'layer-tars');

export async function exportImage(opts: {
  workDir: string;
  cacheDir: string;
  appDir: string;
  layersDir: string;
  plan: LaunchPlan;
  tag: string;
  labels: Record<string, string>;
  docker: Docker;
  log: LogSink;
  /** Passed to exportArchive: runs while the engine loads the image. */
  whileLoading?: () => Promise<unknown>;
}): Promise<Artifact> {
  const { plan } = opts;
  const cnbDir = join(opts.workDir, 'cnb');
  // The run image's inspect (an engine round trip) overlaps writing the launcher.
  const [base] = await Promise.all([
    inspectBaseImage(opts.docker, RUN_IMAGE),
    writeLaunchDir({ cnbHostDir: cnbDir, hostLayersDir: opts.layersDir, layout: IMAGE_LAYOUT, plan }),
  ]);
  opts.log.line(`-----> Exporting ${opts.tag}`);
  const table = processTable(plan.merged.processes);
  const previous = await readFile(lastImageFile(opts.cacheDir), 'utf8').then((id) => id.trim() || undefined, () => undefined);
  const { built, imageId } = await exportArchive({
    docker: opts.docker,
    archiveDir: join(opts.workDir, 'image'),
    tarsDir: layerTarsDir(opts.cacheDir),
    previous,
    base,
    layers: exportLayers({ layersDir: opts.layersDir, appDir: opts.appDir, cnbDir, layers: plan.layers }),
    settings: {
      user: 'app',
      workingDir: IMAGE_LAYOUT.appDir,
      entrypoint: [`${IMAGE_LAYOUT.cnbDir}/launcher`],
      cmd: [plan.merged.defaultType ?? 'web'],
      labels: imageLabels(plan, opts.labels, table),
      created: new Date().toISOString(),
    },
    tag: opts.tag,
    whileLoading: opts.whileLoading,
  });
  await writeFile(lastImageFile(opts.cacheDir), imageId);
  for (const layer of built.slice(0, plan.layers.length)) {
    opts.log.line(`-----> Layer ${layer.name}: ${layer.diffId.slice(0, 19)}${layer.reused ? ' (unchanged)' : ''}`);
  }
  return { kind: 'image', image: opts.tag, processes: table };
}

/**
 * The slug is `<slugDir>/app` (the processes' cwd) beside `<slugDir>/layers` and `<slugDir>/cnb`;
 * each process type's command runs `<slugDir>/cnb/process/<type>`, which sets the launch env.
 */
export async function exportSlug(opts: { appDir: string; layersDir: string; plan: LaunchPlan; log: LogSink }): Promise<Artifact> {
  const slugDir = dirname(opts.appDir);
  const layout = { cnbDir: join(slugDir, 'cnb'), appDir: opts.appDir, layersDir: opts.layersDir };
  await writeLaunchDir({ cnbHostDir: layout.cnbDir, hostLayersDir: opts.layersDir, layout, plan: opts.plan });
  const processes: ProcessTable = Object.fromEntries(
    opts.plan.merged.processes.map((p) => [p.type, `exec ${shellQuote(join(layout.cnbDir, 'process', p.type))}`]),
  );
  opts.log.line(`-----> Slug ready in ${opts.appDir}`);
  return { kind: 'slug', dir: opts.appDir, processes, env: {} };
}
