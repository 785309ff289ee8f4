/**
 * Detect phase (CNB platform spec): run each buildpack's `bin/detect` (exit 0 pass, 100 fail,
 * anything else an error) and pick the first group of the order whose required buildpacks all
 * pass. Choosing the group from the outcomes is a pure function.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../../core/errors.js';
import type { LogSink } from '../../core/types.js';
import type { Buildpack, Order } from './buildpacks.js';
import type { Executor, Workspace } from './executor.js';

export type DetectOutcome = 'pass' | 'fail';

export interface DetectResult {
  /** The buildpacks that passed, in group order. */
  group: Buildpack[];
  /** Each passing buildpack's build plan output (TOML text), by id. */
  plans: Map<string, string>;
}

/** First group whose non-optional members pass and that has at least one passing member. */
export function chooseGroup(order: Order, outcomes: Map<string, DetectOutcome>): string[] | null {
  for (const group of order) {
    const passing = group.filter((entry) => outcomes.get(entry.id) === 'pass').map((e) => e.id);
    const requiredPass = group.every((entry) => entry.optional || outcomes.get(entry.id) === 'pass');
    if (requiredPass && passing.length > 0) return passing;
  }
  return null;
}

export function noMatchMessage(tried: string[]): string {
  return (
    `no buildpack detected this app (tried ${tried.join(', ')}). ` +
    'Add a package.json (Node.js), an index.html or public/ folder (static site), a Procfile, ' +
    'or a Dockerfile to the repository root'
  );
}

async function detectOne(bp: Buildpack, ws: Workspace, exec: Executor, log: LogSink): Promise<[DetectOutcome, string]> {
  const planHost = join(ws.scratchDir, 'detect', bp.dirName, 'plan.toml');
  await rm(join(ws.scratchDir, 'detect', bp.dirName), { recursive: true, force: true });
  await mkdir(join(ws.scratchDir, 'detect', bp.dirName), { recursive: true });
  const v = exec.view;
  const bpDir = `${v.buildpacksDir}/${bp.dirName}`;
  const outcome = await exec.run(
    {
      file: `${bpDir}/bin/detect`,
      args: [v.platformDir, `${v.scratchDir}/detect/${bp.dirName}/plan.toml`],
      cwd: v.appDir,
      env: {
        CNB_BUILDPACK_DIR: bpDir,
        CNB_PLATFORM_DIR: v.platformDir,
        CNB_BUILD_PLAN_PATH: `${v.scratchDir}/detect/${bp.dirName}/plan.toml`,
        CNB_APP_DIR: v.appDir,
      },
    },
    log,
  );
  if (outcome.exitCode === 0) return ['pass', await readFile(planHost, 'utf8').catch(() => '')];
  if (outcome.exitCode === 100) return ['fail', ''];
  throw new BuildError('detect', `${bp.id} detect exited ${outcome.exitCode}`, outcome.tail);
}

/** Runs detection for every buildpack named in the order (each once) and picks the group. */
export async function detect(opts: {
  order: Order;
  buildpacks: Map<string, Buildpack>;
  ws: Workspace;
  exec: Executor;
  log: LogSink;
}): Promise<DetectResult> {
  const ids = [...new Set(opts.order.flat().map((e) => e.id))];
  const outcomes = new Map<string, DetectOutcome>();
  const plans = new Map<string, string>();
  for (const id of ids) {
    const bp = opts.buildpacks.get(id);
    if (!bp) throw new BuildError('detect', `order.toml names buildpack ${id}, which is not installed`);
    // Detect output is noise unless something breaks; keep it out of the user's log.
    const [outcome, plan] = await detectOne(bp, opts.ws, opts.exec, { line: () => undefined });
    outcomes.set(id, outcome);
    if (outcome === 'pass') plans.set(id, plan);
  }
  const chosen = chooseGroup(opts.order, outcomes);
  if (!chosen) throw new BuildError('detect', noMatchMessage(ids));
  const group = chosen.map((id) => opts.buildpacks.get(id)).filter((bp): bp is Buildpack => bp !== undefined);
  opts.log.line(`-----> Detected buildpacks: ${group.map((bp) => `${bp.id}@${bp.version}`).join(', ')}`);
  return { group, plans };
}
