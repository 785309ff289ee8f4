/**
 * Reads buildpacks and orders as the CNB specs lay them out: each buildpack is a directory with
 * `buildpack.toml` (Buildpack API 0.10, "buildpack.toml (TOML)"): `api`, `[buildpack]` id,
 * version, `clear-env`, and either `bin/detect` + `bin/build` (a component buildpack) or its own
 * `[[order]]` (a meta-buildpack). `order.toml` (Platform API 0.10, "order.toml (TOML)") lists
 * groups of `{ id, version, optional }`. A malformed file fails the build naming the file.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { BuildError } from '../../core/errors.js';
import type { Order, OrderRef } from './order.js';

export type { Order } from './order.js';

export interface Buildpack {
  id: string;
  version: string;
  api: string;
  homepage: string | null;
  /** When true the buildpack gets no user-provided env (platform `env/`). */
  clearEnv: boolean;
  /** Host path of the buildpack's root directory. */
  dir: string;
  /** A meta-buildpack's own order; null for a component buildpack. */
  order: Order | null;
}

export type BuildpackSet = Map<string, Buildpack>;

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

const BUILDPACK_ID = /^[A-Za-z0-9./-]+$/;
const RESERVED_IDS = new Set(['app', 'config', 'generated', 'sbom']);
const API_VERSION = /^\d+(\.\d+)?$/;

/**
 * The Buildpack API versions this platform runs. Within 0.x a newer API only adds to older ones
 * (buildpacks RFC 0049), and DevFlow implements 0.10, reading the older launch.toml forms (string
 * commands, `direct`) too; 0.7 is the oldest it was checked against. A buildpack that needs a
 * newer API would be run with rules it does not expect, so it is refused by name instead.
 */
export const SUPPORTED_APIS = { oldest: [0, 7], newest: [0, 10] } as const;

/** Whether a buildpack.toml `api` ("0.9", "1") is one DevFlow runs. */
export function isSupportedApi(api: string): boolean {
  const [major = 0, minor = 0] = api.split('.').map(Number);
  const at = (v: readonly [number, number]) => Math.sign(major - v[0]) || Math.sign(minor - v[1]);
  return at(SUPPORTED_APIS.oldest) >= 0 && at(SUPPORTED_APIS.newest) <= 0;
}

function parseToml(text: string, file: string, phase: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new BuildError(phase, `${file} is not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
}

function table(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reads `[[order]]` / `[[order.group]]` from a parsed document. */
export function readOrder(doc: Record<string, unknown>, file: string, phase = 'detect'): Order {
  const orders = doc.order;
  if (orders === undefined) return [];
  if (!Array.isArray(orders)) throw new BuildError(phase, `${file}: order must be an array of tables ([[order]])`);
  return orders.map((o, i) => {
    const group = table(o).group;
    if (!Array.isArray(group) || group.length === 0) {
      throw new BuildError(phase, `${file}: order #${i + 1} has no [[order.group]] entries`);
    }
    return group.map((g): OrderRef => {
      const entry = table(g);
      if (typeof entry.id !== 'string' || !entry.id) throw new BuildError(phase, `${file}: every [[order.group]] entry needs an id`);
      return {
        id: entry.id,
        optional: entry.optional === true,
        ...(typeof entry.version === 'string' ? { version: entry.version } : {}),
      };
    });
  });
}

/** Parses and validates one buildpack.toml; `dir` is the buildpack's root, `file` names it in errors. */
export function parseBuildpackToml(text: string, dir: string, file = join(dir, 'buildpack.toml')): Buildpack {
  const doc = parseToml(text, file, 'detect');
  const bp = table(doc.buildpack);
  const fail = (why: string): never => {
    throw new BuildError('detect', `${file}: ${why}`);
  };
  const api = typeof doc.api === 'string' ? doc.api : fail('api = "<version>" is missing');
  if (!API_VERSION.test(api)) fail(`api "${api}" is not a <major>.<minor> version`);
  if (!isSupportedApi(api)) {
    const { oldest, newest } = SUPPORTED_APIS;
    fail(`Buildpack API ${api} is not supported: DevFlow runs buildpacks written for API ${oldest.join('.')} to ${newest.join('.')}`);
  }
  const id = typeof bp.id === 'string' ? bp.id : fail('[buildpack] id is missing');
  if (!BUILDPACK_ID.test(id) || RESERVED_IDS.has(id)) fail(`[buildpack] id "${id}" may only hold letters, digits, ".", "/" and "-", and must not be app, config, generated or sbom`);
  const version = typeof bp.version === 'string' ? bp.version : fail('[buildpack] version is missing');
  const order = doc.order === undefined ? null : readOrder(doc, file);
  if (!order && !existsSync(join(dir, 'bin', 'build'))) fail('a buildpack needs bin/build (or an [[order]] for a meta-buildpack)');
  return {
    id,
    version,
    api,
    homepage: typeof bp.homepage === 'string' ? bp.homepage : null,
    clearEnv: bp['clear-env'] === true,
    dir,
    order,
  };
}

/** `shownAs` is how errors name the file (e.g. its path in the app's repository). */
export async function loadBuildpack(dir: string, shownAs = join(dir, 'buildpack.toml')): Promise<Buildpack> {
  const text = await readFile(join(dir, 'buildpack.toml'), 'utf8').catch(() => {
    throw new BuildError('detect', `${shownAs} does not exist: a buildpack directory needs a buildpack.toml`);
  });
  return parseBuildpackToml(text, dir, shownAs);
}

/** Every buildpack directly under `buildpacksDir` (one directory each). */
export async function loadBuildpacks(buildpacksDir: string): Promise<BuildpackSet> {
  const found: BuildpackSet = new Map();
  for (const entry of await readdir(buildpacksDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(buildpacksDir, entry.name, 'buildpack.toml'))) continue;
    const bp = await loadBuildpack(join(buildpacksDir, entry.name));
    const clash = [...found.values()].find((b) => b.id.toLowerCase() === bp.id.toLowerCase());
    if (clash) throw new BuildError('detect', `buildpacks ${clash.dir} and ${bp.dir} have the same id ${bp.id}`);
    found.set(bp.id, bp);
  }
  return found;
}

export function parseOrder(text: string, file = 'order.toml'): Order {
  return readOrder(parseToml(text, file, 'detect'), file);
}

export async function loadOrder(buildpacksDir: string): Promise<Order> {
  const file = join(buildpacksDir, 'order.toml');
  return parseOrder(await readFile(file, 'utf8'), file);
}
