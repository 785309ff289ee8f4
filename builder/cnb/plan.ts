/**
 * Build plan resolution (Buildpack API 0.10, "Phase #1: Detection" → "Process", and "Build Plan
 * (TOML)"). Each passing buildpack offers one or more potential plans (the top-level
 * `provides`/`requires`, then each `[[or]]`); trials pick one per buildpack, left to right,
 * depth-first, and the first trial that resolves wins. In a trial every requirement must be
 * provided by the same or an earlier buildpack and every provision required by the same or a
 * later one; an optional buildpack that breaks either rule drops out (with its entries), a
 * required one fails the trial. Pure: tested with tables.
 */
import { parse } from 'smol-toml';
import { BuildError } from '../../core/errors.js';

export interface PlanRequire {
  name: string;
  metadata: Record<string, unknown>;
}

export interface PlanOption {
  provides: string[];
  requires: PlanRequire[];
}

export interface DetectedBuildpack {
  id: string;
  optional: boolean;
  /** Potential plans: the top-level pair first, then each `or` alternative. */
  options: PlanOption[];
}

/** One resolved dependency: who may provide it (in group order) and every requirement of it. */
export interface PlanEntry {
  name: string;
  providers: string[];
  requires: PlanRequire[];
}

export type Resolution =
  | { ok: true; group: string[]; entries: PlanEntry[] }
  | { ok: false; reason: string };

const MAX_TRIALS = 1024;

function asTable(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function readOption(doc: Record<string, unknown>, where: string): PlanOption {
  const list = (key: string): Record<string, unknown>[] => {
    const value = doc[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Error(`${where}${key} must be an array of tables`);
    return value.map(asTable);
  };
  const name = (t: Record<string, unknown>, key: string): string => {
    if (typeof t.name !== 'string' || t.name === '') throw new Error(`every ${where}${key} entry needs a name`);
    return t.name;
  };
  return {
    provides: list('provides').map((t) => name(t, 'provides')),
    requires: list('requires').map((t) => ({ name: name(t, 'requires'), metadata: asTable(t.metadata) })),
  };
}

/** Reads a detect's plan output (TOML text); `source` names it in errors. */
export function parseBuildPlan(text: string, source: string): PlanOption[] {
  let doc: Record<string, unknown>;
  try {
    doc = text.trim() ? (parse(text) as Record<string, unknown>) : {};
  } catch (err) {
    throw new BuildError('detect', `${source} wrote an invalid build plan: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    const alternatives = Array.isArray(doc.or) ? doc.or.map((o) => readOption(asTable(o), 'or.')) : [];
    return [readOption(doc, ''), ...alternatives];
  } catch (err) {
    throw new BuildError('detect', `${source} wrote an invalid build plan: ${(err as Error).message}`);
  }
}

interface Chosen {
  bp: DetectedBuildpack;
  option: PlanOption;
}

/** The dependency map of a trial, as the lifecycle builds it: provides first, then requires. */
function unmetIn(trial: Chosen[]): { bp: DetectedBuildpack; why: string } | null {
  const pending = new Map<string, string[]>(); // provided, not yet required
  const providers = new Map<string, string[]>();
  for (const { bp, option } of trial) {
    for (const name of option.provides) pending.set(name, [...(pending.get(name) ?? []), bp.id]);
    for (const req of option.requires) {
      const known = [...(providers.get(req.name) ?? []), ...(pending.get(req.name) ?? [])];
      pending.delete(req.name);
      if (known.length === 0) return { bp, why: `${bp.id} requires ${req.name}, which no buildpack before it provides` };
      providers.set(req.name, known);
    }
  }
  for (const [name, ids] of pending) {
    const id = ids[0] ?? '';
    const bp = trial.find((c) => c.bp.id === id)?.bp;
    if (bp) return { bp, why: `${id} provides ${name}, which no buildpack requires` };
  }
  return null;
}

function entriesOf(trial: Chosen[]): PlanEntry[] {
  const entries = new Map<string, PlanEntry>();
  const pending = new Map<string, string[]>();
  for (const { bp, option } of trial) {
    for (const name of option.provides) pending.set(name, [...(pending.get(name) ?? []), bp.id]);
    for (const req of option.requires) {
      const entry = entries.get(req.name) ?? { name: req.name, providers: [], requires: [] };
      entry.providers.push(...(pending.get(req.name) ?? []));
      pending.delete(req.name);
      entry.requires.push(req);
      entries.set(req.name, entry);
    }
  }
  return [...entries.values()];
}

/** Resolves one trial, dropping optional buildpacks until it holds; null reason on success. */
function runTrial(trial: Chosen[]): { trial: Chosen[] } | { reason: string } {
  let current = trial;
  for (;;) {
    const unmet = unmetIn(current);
    if (!unmet) break;
    if (!unmet.bp.optional) return { reason: unmet.why };
    current = current.filter((c) => c.bp !== unmet.bp);
  }
  if (current.length === 0) return { reason: 'no buildpack is left once the plan is resolved' };
  return { trial: current };
}

/** Every combination of options, left to right, depth-first (the first option varies last). */
function* trials(bps: DetectedBuildpack[], prefix: Chosen[] = []): Generator<Chosen[]> {
  const [head, ...rest] = bps;
  if (!head) {
    yield prefix;
    return;
  }
  for (const option of head.options.length > 0 ? head.options : [{ provides: [], requires: [] }]) {
    yield* trials(rest, [...prefix, { bp: head, option }]);
  }
}

/** Resolves the plan of a group whose members (in order) all passed detection or are optional. */
export function resolvePlan(passing: DetectedBuildpack[]): Resolution {
  if (passing.length === 0) return { ok: false, reason: 'no buildpack in the group passed detection' };
  let first: string | null = null;
  let count = 0;
  for (const trial of trials(passing)) {
    const outcome = runTrial(trial);
    if ('trial' in outcome) {
      return { ok: true, group: outcome.trial.map((c) => c.bp.id), entries: entriesOf(outcome.trial) };
    }
    first ??= outcome.reason;
    if (++count >= MAX_TRIALS) break;
  }
  return { ok: false, reason: first ?? 'the build plan does not resolve' };
}

/** The Buildpack Plan (`[[entries]]`) one buildpack gets: every requirement of what it provides. */
export function buildpackPlanFor(id: string, entries: PlanEntry[]): PlanRequire[] {
  return entries.filter((e) => e.providers.includes(id)).flatMap((e) => e.requires);
}

/**
 * After a buildpack builds, the entries it met leave the plan; the ones it listed as `unmet`
 * in build.toml stay for the next provider ("Unmet Buildpack Plan Entries").
 */
export function afterBuild(id: string, entries: PlanEntry[], unmet: string[]): PlanEntry[] {
  return entries.filter((e) => !e.providers.includes(id) || unmet.includes(e.name));
}
