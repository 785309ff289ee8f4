/**
 * Detect phase (Buildpack API 0.10, "Phase #1: Detection"; Platform API 0.10 `detector`):
 * resolve the order (meta-buildpacks expanded), then for each group in turn run `bin/detect`
 * of its buildpacks (exit 0 pass, 100 fail, anything else an error), drop optional ones that
 * fail, and resolve the build plan. The first group that resolves is chosen; its members and
 * plan go to `<scratch>/group.toml` and `<scratch>/plan.toml` for the build phase. When none
 * does, the error lists every group and why it failed.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { BuildError } from '../../core/errors.js';
import type { LogSink } from '../../core/types.js';
import { escapeBuildpackId, type Buildpack, type BuildpackSet, type Order } from './buildpacks.js';
import { viewPath, type Executor, type Workspace } from './executor.js';
import { resolveOrder, type ResolvedGroup } from './order.js';
import { targetEnv, withUserEnv } from './phase-env.js';
import { parseBuildPlan, resolvePlan, type DetectedBuildpack, type PlanEntry, type PlanOption } from './plan.js';

export type DetectOutcome = { result: 'pass'; options: PlanOption[] } | { result: 'fail' };

export interface DetectResult {
  /** The buildpacks that build, in group order. */
  group: Buildpack[];
  /** The resolved build plan. */
  entries: PlanEntry[];
}

export type GroupVerdict = { ok: true; group: string[]; entries: PlanEntry[] } | { ok: false; reason: string };

/** Judges one resolved group from its members' detect outcomes (pure). */
export function judgeGroup(group: ResolvedGroup, outcomes: Map<string, DetectOutcome>): GroupVerdict {
  const passing: DetectedBuildpack[] = [];
  for (const member of group) {
    const outcome = outcomes.get(member.id);
    if (outcome?.result === 'pass') passing.push({ id: member.id, optional: member.optional, options: outcome.options });
    else if (!member.optional) return { ok: false, reason: `${member.id} did not pass detection` };
  }
  const resolution = resolvePlan(passing);
  return resolution.ok ? resolution : { ok: false, reason: resolution.reason };
}

export function noMatchMessage(failures: { group: ResolvedGroup; reason: string }[], tried: string[]): string {
  const lines = failures.map(
    ({ group, reason }, i) => `  group ${i + 1} [${group.map((m) => (m.optional ? `${m.id} (optional)` : m.id)).join(', ')}]: ${reason}`,
  );
  return [
    `no buildpack group passed detection (tried ${tried.join(', ')}):`,
    ...lines,
    'Add a package.json (Node.js), requirements.txt or pyproject.toml (Python), go.mod (Go), an index.html ' +
      'or public/ folder (static site), a Procfile, a project.toml naming buildpacks, or a Dockerfile',
  ].join('\n');
}

interface DetectContext {
  ws: Workspace;
  exec: Executor;
  userEnv: Record<string, string>;
}

async function detectOne(bp: Buildpack, ctx: DetectContext): Promise<DetectOutcome> {
  const { ws, exec } = ctx;
  const dir = join(ws.scratchDir, 'detect', escapeBuildpackId(bp.id));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const v = exec.view;
  const bpDir = viewPath(ws, v, bp.dir);
  const planPath = viewPath(ws, v, join(dir, 'plan.toml'));
  const env = withUserEnv(
    { PATH: exec.basePath, ...targetEnv(), CNB_BUILDPACK_DIR: bpDir, CNB_PLATFORM_DIR: v.platformDir, CNB_BUILD_PLAN_PATH: planPath },
    ctx.userEnv,
    bp,
  );
  // Detect output is noise unless something breaks; the tail goes into the error.
  const outcome = await exec.run({ file: `${bpDir}/bin/detect`, args: [v.platformDir, planPath], cwd: v.appDir, env }, { line: () => undefined });
  if (outcome.exitCode === 100) return { result: 'fail' };
  if (outcome.exitCode !== 0) {
    throw new BuildError('detect', `buildpack ${bp.id}@${bp.version}: bin/detect exited ${outcome.exitCode}`, outcome.tail);
  }
  const text = await readFile(join(dir, 'plan.toml'), 'utf8').catch(() => '');
  return { result: 'pass', options: parseBuildPlan(text, `buildpack ${bp.id} (bin/detect)`) };
}

async function writePhaseFiles(scratchDir: string, result: DetectResult): Promise<void> {
  const group = result.group.map((bp) => ({ id: bp.id, version: bp.version, api: bp.api }));
  await writeFile(join(scratchDir, 'group.toml'), stringify({ group }));
  const entries = result.entries.map((e) => ({
    providers: e.providers.map((id) => ({ id })),
    requires: e.requires.map((r) => ({ name: r.name, metadata: r.metadata })),
  }));
  await writeFile(join(scratchDir, 'plan.toml'), stringify({ entries }));
}

/**
 * Runs `bin/detect` of the group's members that have not run yet, all at once (the CNB lifecycle
 * also detects a group's buildpacks concurrently; each writes its own plan file). A broken
 * detect fails the build; when several break, the first in group order is reported.
 */
async function detectMembers(group: ResolvedGroup, buildpacks: BuildpackSet, outcomes: Map<string, DetectOutcome>, ctx: DetectContext): Promise<void> {
  const pending = [...new Set(group.map((m) => m.id))]
    .filter((id) => !outcomes.has(id))
    .map((id) => buildpacks.get(id))
    .filter((bp): bp is Buildpack => bp !== undefined);
  const settled = await Promise.allSettled(pending.map(async (bp) => [bp.id, await detectOne(bp, ctx)] as const));
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    outcomes.set(...result.value);
  }
}

/** Runs detection group by group (each buildpack's detect at most once) and picks the group. */
export async function detect(opts: {
  order: Order;
  buildpacks: BuildpackSet;
  ws: Workspace;
  exec: Executor;
  userEnv?: Record<string, string>;
  log: LogSink;
}): Promise<DetectResult> {
  const groups = resolveOrder(opts.order, (id) => opts.buildpacks.get(id));
  const ctx: DetectContext = { ws: opts.ws, exec: opts.exec, userEnv: opts.userEnv ?? {} };
  const outcomes = new Map<string, DetectOutcome>();
  const failures: { group: ResolvedGroup; reason: string }[] = [];
  for (const group of groups) {
    await detectMembers(group, opts.buildpacks, outcomes, ctx);
    const verdict = judgeGroup(group, outcomes);
    if (!verdict.ok) {
      failures.push({ group, reason: verdict.reason });
      continue;
    }
    const result: DetectResult = {
      group: verdict.group.map((id) => opts.buildpacks.get(id)).filter((bp): bp is Buildpack => bp !== undefined),
      entries: verdict.entries,
    };
    await writePhaseFiles(opts.ws.scratchDir, result);
    opts.log.line(`-----> Detected buildpacks: ${result.group.map((bp) => `${bp.id}@${bp.version}`).join(', ')}`);
    return result;
  }
  throw new BuildError('detect', noMatchMessage(failures, [...outcomes.keys()]));
}
