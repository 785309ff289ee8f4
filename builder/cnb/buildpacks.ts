/**
 * Reads buildpacks and their order the way the CNB platform spec lays them out: each buildpack
 * is a directory with `buildpack.toml` (Buildpack API 0.10) and `bin/detect`, `bin/build`;
 * `order.toml` lists groups tried in order, each a list of `{ id, optional }`.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { BuildError } from '../../core/errors.js';

export interface Buildpack {
  id: string;
  version: string;
  api: string;
  /** Directory name inside the buildpacks directory. */
  dirName: string;
}

export interface GroupEntry {
  id: string;
  optional: boolean;
}

export type Order = GroupEntry[][];

/** The repository's `buildpacks/` folder, found by walking up from this module (src or dist). */
export function defaultBuildpacksDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'buildpacks');
    if (existsSync(join(candidate, 'order.toml'))) return candidate;
    dir = dirname(dir);
  }
  throw new BuildError('detect', 'cannot find the buildpacks directory (buildpacks/order.toml)');
}

/** The layers directory of a buildpack is named after its id with "/" made safe for paths. */
export function escapeBuildpackId(id: string): string {
  return id.replace(/\//g, '_');
}

function readString(table: Record<string, unknown>, key: string): string | undefined {
  const value = table[key];
  return typeof value === 'string' ? value : undefined;
}

export async function loadBuildpacks(buildpacksDir: string): Promise<Map<string, Buildpack>> {
  const found = new Map<string, Buildpack>();
  for (const entry of await readdir(buildpacksDir, { withFileTypes: true })) {
    const tomlPath = join(buildpacksDir, entry.name, 'buildpack.toml');
    if (!entry.isDirectory() || !existsSync(tomlPath)) continue;
    const doc = parse(await readFile(tomlPath, 'utf8')) as Record<string, unknown>;
    const bp = (doc.buildpack ?? {}) as Record<string, unknown>;
    const id = readString(bp, 'id');
    if (!id) throw new BuildError('detect', `${tomlPath} has no [buildpack] id`);
    found.set(id, { id, version: readString(bp, 'version') ?? '0.0.0', api: readString(doc, 'api') ?? '0.10', dirName: entry.name });
  }
  return found;
}

export function parseOrder(text: string): Order {
  const doc = parse(text) as { order?: { group?: { id?: unknown; optional?: unknown }[] }[] };
  return (doc.order ?? []).map((o) =>
    (o.group ?? []).map((g) => ({ id: String(g.id), optional: g.optional === true })),
  );
}

export async function loadOrder(buildpacksDir: string): Promise<Order> {
  return parseOrder(await readFile(join(buildpacksDir, 'order.toml'), 'utf8'));
}
