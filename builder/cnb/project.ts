/**
 * The project descriptor (buildpacks/spec extensions/project-descriptor.md, schema 0.2):
 * `project.toml` at the repository root. `[_]` needs `schema-version`; `[io.buildpacks]` may set
 * `build.env` (user-provided build variables), `include` or `exclude` (gitignore-style patterns,
 * applied before the build; both together are an error), and `group` / `pre.group` /
 * `post.group` entries naming a buildpack by `id` (and `version`), by `uri` (a buildpack
 * directory inside the repository), or an inline `script` (`api`, `inline`, `shell`).
 * Parsing and validation are pure; a malformed file fails the build naming project.toml.
 */
import { parse } from 'smol-toml';
import { BuildError } from '../../core/errors.js';

export type ProjectBuildpackRef =
  | { kind: 'id'; id: string; version: string | null }
  | { kind: 'uri'; path: string }
  | { kind: 'script'; id: string; api: string; shell: string; inline: string };

export interface ProjectDescriptor {
  buildEnv: Record<string, string>;
  include: string[] | null;
  exclude: string[] | null;
  group: ProjectBuildpackRef[] | null;
  pre: ProjectBuildpackRef[];
  post: ProjectBuildpackRef[];
}

export const EMPTY_PROJECT: ProjectDescriptor = { buildEnv: {}, include: null, exclude: null, group: null, pre: [], post: [] };

function fail(why: string): never {
  throw new BuildError('detect', `project.toml: ${why}`);
}

function table(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${where} must be a table`);
  return value as Record<string, unknown>;
}

function stringList(value: unknown, where: string): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(`${where} must be an array of strings`);
  return value as string[];
}

/** A `uri` must stay inside the repository: a relative path, or `file://` relative path. */
export function repoRelativePath(uri: string): string {
  const path = uri.startsWith('file://') ? uri.slice('file://'.length) : uri;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) fail(`buildpack uri "${uri}" is not supported: DevFlow builds with its own buildpacks and buildpack directories inside the repository`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (path.startsWith('/') || parts.includes('..') || parts.length === 0) fail(`buildpack uri "${uri}" must be a directory inside the repository`);
  return parts.join('/');
}

function readRef(raw: unknown, where: string, index: number): ProjectBuildpackRef {
  const entry = table(raw, where);
  const id = typeof entry.id === 'string' ? entry.id : null;
  const present = ['version', 'uri', 'script'].filter((k) => entry[k] !== undefined);
  if (present.length > 1) fail(`${where} entry ${index + 1} may have only one of version, uri and script (it has ${present.join(', ')})`);
  if (entry.uri !== undefined) {
    if (typeof entry.uri !== 'string') fail(`${where} entry ${index + 1}: uri must be a string`);
    const urn = /^urn:cnb:(?:builder|registry):(.+?)(?:@.*)?$/.exec(entry.uri);
    if (urn?.[1]) return { kind: 'id', id: urn[1], version: null };
    return { kind: 'uri', path: repoRelativePath(entry.uri) };
  }
  if (entry.script !== undefined) {
    const script = table(entry.script, `${where}.script`);
    if (typeof script.api !== 'string' || typeof script.inline !== 'string') fail(`${where} entry ${index + 1}: script needs api and inline`);
    const shell = typeof script.shell === 'string' ? script.shell : '/bin/sh';
    return { kind: 'script', id: id ?? `project/inline-${index + 1}`, api: script.api, shell, inline: script.inline };
  }
  if (!id) fail(`${where} entry ${index + 1} needs an id, a uri or a script`);
  return { kind: 'id', id, version: typeof entry.version === 'string' ? entry.version : null };
}

function readGroup(value: unknown, where: string): ProjectBuildpackRef[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) fail(`${where} must be an array of tables ([[${where}]])`);
  return value.map((v, i) => readRef(v, where, i));
}

function readBuildEnv(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) fail('io.buildpacks.build.env must be an array of tables ([[io.buildpacks.build.env]])');
  const env: Record<string, string> = {};
  for (const raw of value) {
    const e = table(raw, 'io.buildpacks.build.env');
    if (typeof e.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name) || typeof e.value !== 'string') {
      fail('every [[io.buildpacks.build.env]] entry needs a name (a variable name) and a string value');
    }
    env[e.name] = e.value;
  }
  return env;
}

export function parseProjectToml(text: string): ProjectDescriptor {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    fail(`not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc._ !== undefined) {
    const schema = table(doc._, '[_]')['schema-version'];
    if (typeof schema !== 'string') fail('[_] needs schema-version = "0.2"');
    if (!/^0\.[12]$/.test(schema)) fail(`schema-version "${schema}" is not supported (DevFlow reads 0.2)`);
  }
  const io = table(table(doc.io, '[io]').buildpacks, '[io.buildpacks]');
  const include = stringList(io.include, 'io.buildpacks.include');
  const exclude = stringList(io.exclude, 'io.buildpacks.exclude');
  if (include && exclude) fail('io.buildpacks.include and io.buildpacks.exclude are mutually exclusive');
  return {
    buildEnv: readBuildEnv(table(io.build, 'io.buildpacks.build').env),
    include,
    exclude,
    group: readGroup(io.group, 'io.buildpacks.group'),
    pre: readGroup(table(io.pre, 'io.buildpacks.pre').group, 'io.buildpacks.pre.group') ?? [],
    post: readGroup(table(io.post, 'io.buildpacks.post').group, 'io.buildpacks.post.group') ?? [],
  };
}

/** A gitignore-style pattern as a test on a slash-separated path relative to the root. */
export function gitignoreMatcher(pattern: string): (path: string, isDir: boolean) => boolean {
  const dirOnly = pattern.endsWith('/');
  let p = dirOnly ? pattern.slice(0, -1) : pattern;
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\//, '');
  const body = p
    .split('')
    .map((c, i, all) => {
      if (c === '*') return all[i + 1] === '*' ? '' : all[i - 1] === '*' ? '.*' : '[^/]*';
      if (c === '?') return '[^/]';
      return /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
    })
    .join('');
  const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`);
  return (path, isDir) => (!dirOnly || isDir) && regex.test(path);
}
