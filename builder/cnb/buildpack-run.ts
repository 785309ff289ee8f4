/**
 * Build phase (Buildpack API 0.10, "Phase #5: Build", "Build" interface): run each buildpack's
 * `bin/build` in group order, cwd the app dir, with CNB_LAYERS_DIR, CNB_PLATFORM_DIR,
 * CNB_BP_PLAN_PATH (its Buildpack Plan: the requirements of what it provides), CNB_BUILDPACK_DIR,
 * the target variables, the layer environment of earlier buildpacks' `build = true` layers and
 * the user-provided variables (also the three paths as positional arguments, for older
 * buildpacks). Afterwards: `build.toml` `[[unmet]]` entries stay in the plan for the next
 * provider, typeless layers are hidden as `<layer>.ignore`, `launch.toml` is read.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { BuildError } from '../../core/errors.js';
import type { LogSink } from '../../core/types.js';
import { escapeBuildpackId, type Buildpack } from './buildpacks.js';
import { viewPath, type Executor, type Workspace } from './executor.js';
import { applyEnvModifications, envModifications, type EnvLayer } from './layer-env.js';
import { hideIgnoredLayers, listLayers } from './layers.js';
import { targetEnv, withUserEnv } from './phase-env.js';
import { afterBuild, buildpackPlanFor, type PlanEntry, type PlanRequire } from './plan.js';
import { parseLaunchToml, type LaunchToml } from './processes.js';

export interface BuildpackOutput extends LaunchToml {
  buildpack: Buildpack;
}

/** The Buildpack Plan file (`[[entries]]` name + metadata). */
export function renderBuildpackPlan(requires: PlanRequire[]): string {
  return stringify({ entries: requires.map((r) => ({ name: r.name, metadata: r.metadata })) });
}

/** Reads `[[unmet]]` names from build.toml; each must name an entry of the buildpack's plan. */
export function parseBuildToml(text: string, bp: string, plan: PlanRequire[]): string[] {
  let doc: { unmet?: unknown };
  try {
    doc = parse(text) as { unmet?: unknown };
  } catch (err) {
    throw new BuildError('build', `buildpack ${bp} wrote an invalid build.toml: ${(err as Error).message.split('\n')[0]}`);
  }
  const unmet = Array.isArray(doc.unmet) ? (doc.unmet as { name?: unknown }[]) : [];
  return unmet.map((u) => {
    const name = typeof u.name === 'string' ? u.name : '';
    if (!plan.some((r) => r.name === name)) {
      throw new BuildError('build', `buildpack ${bp} wrote build.toml with unmet entry "${name}", which is not in its plan`);
    }
    return name;
  });
}

/** Build layers so far, as env layers in group order (each buildpack's layers by name). */
async function buildLayers(ws: Workspace, exec: Executor, done: Buildpack[]): Promise<EnvLayer[]> {
  const all = await listLayers(ws.layersDir);
  return done.flatMap((bp) =>
    all
      .filter((l) => l.bp === escapeBuildpackId(bp.id) && l.types.build && l.hasDir)
      .map((l) => {
        const hostDir = join(ws.layersDir, l.bp, l.name);
        return { bp: l.bp, hostDir, viewDir: viewPath(ws, exec.view, hostDir) };
      }),
  );
}

interface RunContext {
  ws: Workspace;
  exec: Executor;
  /** Trust settings and other platform-wide variables. */
  env: Record<string, string>;
  userEnv: Record<string, string>;
  log: LogSink;
}

async function buildOne(bp: Buildpack, plan: PlanRequire[], done: Buildpack[], ctx: RunContext): Promise<{ out: BuildpackOutput; unmet: string[] }> {
  const { ws, exec } = ctx;
  const escaped = escapeBuildpackId(bp.id);
  const layersHost = join(ws.layersDir, escaped);
  const planHost = join(ws.scratchDir, 'plans', `${escaped}.toml`);
  await mkdir(layersHost, { recursive: true });
  await mkdir(join(ws.scratchDir, 'plans'), { recursive: true });
  await writeFile(planHost, renderBuildpackPlan(plan));
  const v = exec.view;
  const [layers, planPath, bpDir] = [viewPath(ws, v, layersHost), viewPath(ws, v, planHost), viewPath(ws, v, bp.dir)];
  const layerMods = await envModifications(await buildLayers(ws, exec, done), 'build');
  const env = {
    ...withUserEnv(applyEnvModifications({ PATH: exec.basePath, ...ctx.env }, layerMods), ctx.userEnv, bp),
    ...targetEnv(),
    CNB_LAYERS_DIR: layers,
    CNB_PLATFORM_DIR: v.platformDir,
    CNB_BP_PLAN_PATH: planPath,
    CNB_BUILDPACK_DIR: bpDir,
  };
  ctx.log.line(`-----> Running ${bp.id}@${bp.version}`);
  const outcome = await exec.run({ file: `${bpDir}/bin/build`, args: [layers, v.platformDir, planPath], cwd: v.appDir, env }, ctx.log);
  if (outcome.exitCode !== 0) {
    throw new BuildError('build', `buildpack ${bp.id}@${bp.version}: bin/build exited ${outcome.exitCode}`, outcome.tail);
  }
  await hideIgnoredLayers(ws.layersDir, escaped);
  const buildToml = join(layersHost, 'build.toml');
  const unmet = existsSync(buildToml) ? parseBuildToml(await readFile(buildToml, 'utf8'), bp.id, plan) : [];
  const launchToml = join(layersHost, 'launch.toml');
  const launch = existsSync(launchToml) ? parseLaunchToml(await readFile(launchToml, 'utf8'), bp.id) : { processes: [], labels: {} };
  return { out: { ...launch, buildpack: bp }, unmet };
}

/** Runs the group in order; returns each buildpack's launch output. */
export async function runBuildpacks(opts: {
  group: Buildpack[];
  entries: PlanEntry[];
  ws: Workspace;
  exec: Executor;
  env: Record<string, string>;
  userEnv?: Record<string, string>;
  log: LogSink;
}): Promise<BuildpackOutput[]> {
  const ctx: RunContext = { ws: opts.ws, exec: opts.exec, env: opts.env, userEnv: opts.userEnv ?? {}, log: opts.log };
  const outputs: BuildpackOutput[] = [];
  let entries = opts.entries;
  for (const [i, bp] of opts.group.entries()) {
    const { out, unmet } = await buildOne(bp, buildpackPlanFor(bp.id, entries), opts.group.slice(0, i), ctx);
    entries = afterBuild(bp.id, entries, unmet);
    outputs.push(out);
  }
  return outputs;
}
