/**
 * Build phase (Buildpack API 0.10): run each detected buildpack's `bin/build` in group order with
 * CNB_LAYERS_DIR, CNB_PLATFORM_DIR, CNB_BP_PLAN_PATH and CNB_BUILDPACK_DIR set (and, for older
 * buildpacks, the same three paths as positional arguments), cwd the app dir. Layers a buildpack
 * marks `build = true` are visible to the buildpacks after it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { BuildError } from '../../core/errors.js';
import type { LogSink, ProcessTable } from '../../core/types.js';
import { escapeBuildpackId, type Buildpack } from './buildpacks.js';
import type { Executor, Workspace } from './executor.js';
import { applyEnvModifications, layerEnvModifications } from './layer-env.js';
import { listLayers } from './layers.js';
import { parseLaunchToml } from './processes.js';

/** The buildpack plan handed to `bin/build`: the entries its detect required. */
export function buildpackPlan(detectPlan: string): string {
  const doc = detectPlan.trim() ? (parse(detectPlan) as { requires?: { name?: unknown; metadata?: unknown }[] }) : {};
  const entries = (doc.requires ?? []).map((r) => ({ name: String(r.name), metadata: r.metadata ?? {} }));
  return stringify({ entries });
}

/** The environment a buildpack builds with: trust + CNB vars + build layers of earlier buildpacks. */
async function buildEnv(ws: Workspace, exec: Executor, base: Record<string, string>): Promise<Record<string, string>> {
  const mods = [];
  for (const layer of (await listLayers(ws.layersDir)).filter((l) => l.types.build)) {
    mods.push(
      ...(await layerEnvModifications(
        join(ws.layersDir, layer.bp, layer.name),
        `${exec.view.layersDir}/${layer.bp}/${layer.name}`,
        'build',
      )),
    );
  }
  return applyEnvModifications({ PATH: exec.basePath, ...base }, mods);
}

async function buildOne(bp: Buildpack, plan: string, ws: Workspace, exec: Executor, baseEnv: Record<string, string>, log: LogSink): Promise<ProcessTable> {
  const escaped = escapeBuildpackId(bp.id);
  const v = exec.view;
  await mkdir(join(ws.layersDir, escaped), { recursive: true });
  await mkdir(join(ws.scratchDir, 'plans'), { recursive: true });
  await writeFile(join(ws.scratchDir, 'plans', `${escaped}.toml`), buildpackPlan(plan));
  const layers = `${v.layersDir}/${escaped}`;
  const planPath = `${v.scratchDir}/plans/${escaped}.toml`;
  const bpDir = `${v.buildpacksDir}/${bp.dirName}`;
  const env = await buildEnv(ws, exec, {
    ...baseEnv,
    CNB_LAYERS_DIR: layers,
    CNB_PLATFORM_DIR: v.platformDir,
    CNB_BP_PLAN_PATH: planPath,
    CNB_BUILDPACK_DIR: bpDir,
    CNB_APP_DIR: v.appDir,
  });
  log.line(`-----> Running ${bp.id}@${bp.version}`);
  const outcome = await exec.run({ file: `${bpDir}/bin/build`, args: [layers, v.platformDir, planPath], cwd: v.appDir, env }, log);
  if (outcome.exitCode !== 0) {
    throw new BuildError('build', `${bp.id} build exited ${outcome.exitCode}`, outcome.tail);
  }
  const launchToml = join(ws.layersDir, escaped, 'launch.toml');
  return existsSync(launchToml) ? parseLaunchToml(await readFile(launchToml, 'utf8')) : {};
}

/** Runs the group; returns each buildpack's declared processes, in order. */
export async function runBuildpacks(opts: {
  group: Buildpack[];
  plans: Map<string, string>;
  ws: Workspace;
  exec: Executor;
  env: Record<string, string>;
  log: LogSink;
}): Promise<ProcessTable[]> {
  const tables: ProcessTable[] = [];
  for (const bp of opts.group) {
    tables.push(await buildOne(bp, opts.plans.get(bp.id) ?? '', opts.ws, opts.exec, opts.env, opts.log));
  }
  return tables;
}
