/**
 * The project descriptor, `project.toml` at the repository root, read as `pack` reads it
 * (buildpacks/spec extensions/project-descriptor.md, both schemas):
 *
 * - schema 0.1, the older layout and pack's default when `[_] schema-version` is absent:
 *   `[project]` (metadata), `[build]` with `include` or `exclude`, `builder`,
 *   `[[build.buildpacks]]` and `[[build.env]]`;
 * - schema 0.2: `[_]` with `schema-version = "0.2"`, and `[io.buildpacks]` with `include` or
 *   `exclude`, `builder`, `[[io.buildpacks.group]]`, `pre.group` / `post.group`,
 *   `[[io.buildpacks.build.env]]` (and its older spelling `[[io.buildpacks.env.build]]`).
 *
 * Both normalise into one ProjectDescriptor. A buildpack entry names a buildpack by `id` (and
 * `version`), by `uri` (a buildpack directory inside the repository, or a `urn:` naming one
 * DevFlow has), or is an inline `script` (`api`, `inline`, `shell`), which needs an `id`. Keys a
 * schema does not define, and a `builder` (DevFlow builds on its own stack), become warnings the
 * build log shows, as pack warns and carries on. Parsing is pure; a malformed file fails the
 * build naming project.toml.
 */
import { parse } from 'smol-toml';
import { BuildError } from '../../core/errors.js';

export type ProjectBuildpackRef =
  | { kind: 'id'; id: string; version: string | null }
  | { kind: 'uri'; path: string }
  | { kind: 'script'; id: string; api: string; shell: string; inline: string };

export type DescriptorSchema = '0.1' | '0.2';

export interface ProjectDescriptor {
  /** Null when the repository has no project.toml. */
  schema: DescriptorSchema | null;
  buildEnv: Record<string, string>;
  include: string[] | null;
  exclude: string[] | null;
  group: ProjectBuildpackRef[] | null;
  pre: ProjectBuildpackRef[];
  post: ProjectBuildpackRef[];
  warnings: string[];
}

export const EMPTY_PROJECT: ProjectDescriptor = { schema: null, buildEnv: {}, include: null, exclude: null, group: null, pre: [], post: [], warnings: [] };

type Table = Record<string, unknown>;

function fail(why: string): never {
  throw new BuildError('detect', `project.toml: ${why}`);
}

function table(value: unknown, where: string): Table {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${where} must be a table`);
  return value as Table;
}

function tableList(value: unknown, where: string): Table[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) fail(`${where} must be an array of tables ([[${where}]])`);
  return value.map((v) => table(v, where));
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

/** `urn:buildpack:<id>` (the spec's default uri) and pack's `urn:cnb:builder:` / `urn:cnb:registry:` name a buildpack by id. */
const URN = /^urn:(?:buildpack|cnb:builder|cnb:registry):(.+?)(?:@.*)?$/;

function readRef(entry: Table, where: string, index: number): ProjectBuildpackRef {
  const at = `${where} entry ${index + 1}`;
  const id = typeof entry.id === 'string' && entry.id !== '' ? entry.id : null;
  const present = ['version', 'uri', 'script'].filter((k) => entry[k] !== undefined);
  if (present.length > 1) fail(`${at} may have only one of version, uri and script (it has ${present.join(', ')})`);
  if (entry.uri !== undefined) {
    if (typeof entry.uri !== 'string') fail(`${at}: uri must be a string`);
    const urn = URN.exec(entry.uri);
    if (urn?.[1]) return { kind: 'id', id: urn[1], version: null };
    return { kind: 'uri', path: repoRelativePath(entry.uri) };
  }
  if (entry.script !== undefined) {
    const script = table(entry.script, `${where}.script`);
    if (!id) fail(`${at}: an inline script buildpack needs an id`);
    if (typeof script.api !== 'string' || typeof script.inline !== 'string') fail(`${at}: script needs api and inline`);
    const shell = typeof script.shell === 'string' && script.shell !== '' ? script.shell : '/bin/sh';
    return { kind: 'script', id, api: script.api, shell, inline: script.inline };
  }
  if (!id) fail(`${at} needs an id or a uri`);
  if (entry.version !== undefined && typeof entry.version !== 'string') fail(`${at}: version must be a string`);
  return { kind: 'id', id, version: typeof entry.version === 'string' ? entry.version : null };
}

function readGroup(value: unknown, where: string): ProjectBuildpackRef[] | null {
  return tableList(value, where)?.map((entry, i) => readRef(entry, where, i)) ?? null;
}

/** `[[…env]]` entries in order, a later name overriding an earlier one (as pack writes them). */
function readEnvList(value: unknown, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of tableList(value, where) ?? []) {
    if (typeof e.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name) || typeof e.value !== 'string') {
      fail(`every [[${where}]] entry needs a name (a variable name) and a string value`);
    }
    env[e.name] = e.value;
  }
  return env;
}

function readLicenses(value: unknown, where: string): void {
  for (const l of tableList(value, where) ?? []) {
    if (typeof l.type !== 'string' && typeof l.uri !== 'string') fail(`every [[${where}]] entry needs a type or a uri`);
  }
}

/** Keys a schema does not define: pack warns that it ignores them; so does the build log. */
function unknownKeys(t: Table, known: string[], where: string, schema: DescriptorSchema): string[] {
  return Object.keys(t)
    .filter((k) => !known.includes(k))
    .map((k) => `project.toml: ${where}.${k} is not part of schema ${schema}; ignored`);
}

const BUILDER_IGNORED = 'project.toml: builder is ignored; DevFlow builds on its own stack with its own buildpacks and those the descriptor names';

type Body = Omit<ProjectDescriptor, 'schema'>;

/** Schema 0.1: `[project]` and `[build]`. */
function readSchema01(doc: Table): Body {
  readLicenses(table(doc.project, '[project]').licenses, 'project.licenses');
  const build = table(doc.build, '[build]');
  const warnings = unknownKeys(build, ['include', 'exclude', 'buildpacks', 'env', 'builder'], 'build', '0.1');
  if (build.builder !== undefined) warnings.push(BUILDER_IGNORED);
  return {
    buildEnv: readEnvList(build.env, 'build.env'),
    include: stringList(build.include, 'build.include'),
    exclude: stringList(build.exclude, 'build.exclude'),
    group: readGroup(build.buildpacks, 'build.buildpacks'),
    pre: [],
    post: [],
    warnings,
  };
}

/** One revision of the spec put these under `io.buildpacks.build`; pack reads them one level up. */
const MOVED_IN_02: Record<string, string> = { include: 'include', exclude: 'exclude', builder: 'builder', buildpacks: 'group' };

/** Schema 0.2: `[_]` and `[io.buildpacks]`. */
function readSchema02(doc: Table): Body {
  readLicenses(table(doc._, '[_]').licenses, '_.licenses');
  const io = table(table(doc.io, '[io]').buildpacks, '[io.buildpacks]');
  const build = table(io.build, 'io.buildpacks.build');
  const warnings = [
    ...unknownKeys(io, ['include', 'exclude', 'group', 'pre', 'post', 'build', 'env', 'builder'], 'io.buildpacks', '0.2'),
    ...Object.keys(build)
      .filter((k) => k !== 'env')
      .map((k) => `project.toml: io.buildpacks.build.${k} is ignored${MOVED_IN_02[k] ? ` (pack reads io.buildpacks.${MOVED_IN_02[k]})` : ''}`),
  ];
  if (io.builder !== undefined) warnings.push(BUILDER_IGNORED);
  // pack still reads the older spelling [[io.buildpacks.env.build]] when build.env is absent.
  const buildEnv = build.env !== undefined ? readEnvList(build.env, 'io.buildpacks.build.env') : readEnvList(table(io.env, 'io.buildpacks.env').build, 'io.buildpacks.env.build');
  return {
    buildEnv,
    include: stringList(io.include, 'io.buildpacks.include'),
    exclude: stringList(io.exclude, 'io.buildpacks.exclude'),
    group: readGroup(io.group, 'io.buildpacks.group'),
    pre: readGroup(table(io.pre, 'io.buildpacks.pre').group, 'io.buildpacks.pre.group') ?? [],
    post: readGroup(table(io.post, 'io.buildpacks.post').group, 'io.buildpacks.post.group') ?? [],
    warnings,
  };
}

const UNDECLARED_02 = 'project.toml: [io.buildpacks] without [_] schema-version = "0.2" is read as schema 0.2; add it, for pack reads such a file as 0.1 and ignores [io.buildpacks]';

/**
 * pack's rule: `[_] schema-version` picks the schema, and its absence means 0.1. One exception:
 * a file with `[io.buildpacks]` and no `[project]` or `[build]` means 0.2 (pack would drop the
 * buildpacks it names, and DevFlow read such files as 0.2 before), with a warning saying so.
 */
function schemaOf(doc: Table): { schema: DescriptorSchema; warnings: string[] } {
  const declared = table(doc._, '[_]')['schema-version'];
  if (declared === '0.1' || declared === '0.2') return { schema: declared, warnings: [] };
  if (declared !== undefined) fail(`schema-version ${JSON.stringify(declared)} is not supported (DevFlow reads "0.1" and "0.2")`);
  if (table(doc.io, '[io]').buildpacks === undefined) return { schema: '0.1', warnings: [] };
  if (doc.project !== undefined || doc.build !== undefined) fail('the file mixes [io.buildpacks] (schema 0.2) with [project] or [build] (schema 0.1): keep one layout, and for 0.2 add [_] with schema-version = "0.2"');
  return { schema: '0.2', warnings: [UNDECLARED_02] };
}

const READERS: Record<DescriptorSchema, (doc: Table) => Body> = { '0.1': readSchema01, '0.2': readSchema02 };

export function parseProjectToml(text: string): ProjectDescriptor {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (err) {
    fail(`not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
  const { schema, warnings } = schemaOf(doc);
  const body = READERS[schema](doc);
  if (body.include && body.exclude) fail('include and exclude are mutually exclusive');
  return { schema, ...body, warnings: [...warnings, ...body.warnings] };
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
