/**
 * Applies a parsed project.toml (extensions/project-descriptor.md) to a build: prunes the app
 * dir by include/exclude, copies `uri` buildpacks out of the repository (so exclusions and the
 * build itself cannot change them), writes inline `script` buildpacks, and turns the groups into
 * the order detection runs. The thin, file-touching half of project.ts.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BuildError } from '../../core/errors.js';
import { loadBuildpack, type BuildpackSet, type Order } from './buildpacks.js';
import type { OrderRef } from './order.js';
import { EMPTY_PROJECT, gitignoreMatcher, parseProjectToml, type ProjectBuildpackRef, type ProjectDescriptor } from './project.js';

export async function readProject(appDir: string): Promise<ProjectDescriptor> {
  const file = join(appDir, 'project.toml');
  return existsSync(file) ? parseProjectToml(await readFile(file, 'utf8')) : EMPTY_PROJECT;
}

/** Removes what include/exclude leave out ("excluded before the build"). */
export async function applyIncludeExclude(appDir: string, project: ProjectDescriptor): Promise<void> {
  const patterns = project.include ?? project.exclude;
  if (!patterns) return;
  const matchers = patterns.map(gitignoreMatcher);
  const matches = (rel: string, isDir: boolean) => matchers.some((m) => m(rel, isDir));
  const including = project.include !== null;
  // Returns whether anything under `rel` is kept; an include walk drops directories left empty.
  const walk = async (rel: string): Promise<boolean> => {
    let kept = false;
    for (const entry of await readdir(join(appDir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      const hit = matches(path, isDir);
      let keep: boolean;
      if (hit) keep = including;
      else if (isDir) keep = (await walk(path)) || !including;
      else keep = !including;
      if (keep) kept = true;
      else await rm(join(appDir, path), { recursive: true, force: true });
    }
    return kept;
  };
  await walk('');
}

async function writeInlineBuildpack(dir: string, ref: Extract<ProjectBuildpackRef, { kind: 'script' }>): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  const toml = `api = ${JSON.stringify(ref.api)}\n\n[buildpack]\nid = ${JSON.stringify(ref.id)}\nversion = "0.0.0"\nname = "inline buildpack from project.toml"\n`;
  await writeFile(join(dir, 'buildpack.toml'), toml);
  await writeFile(join(dir, 'inline'), ref.inline, { mode: 0o755 });
  await writeFile(join(dir, 'bin', 'detect'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const shell = ref.shell.replace(/'/g, `'\\''`);
  await writeFile(join(dir, 'bin', 'build'), `#!/bin/sh\nexec '${shell}' "$CNB_BUILDPACK_DIR/inline"\n`, { mode: 0o755 });
}

/** A meta-buildpack's components are looked for beside it in the repository (a package's layout). */
async function loadSiblings(metaDir: string, ctx: { scratchDir: string; buildpacks: BuildpackSet; counter: { n: number } }): Promise<void> {
  const parent = dirname(metaDir);
  for (const entry of await readdir(parent, { withFileTypes: true })) {
    const from = join(parent, entry.name);
    if (!entry.isDirectory() || from === metaDir || !existsSync(join(from, 'buildpack.toml'))) continue;
    const dir = join(ctx.scratchDir, 'project-buildpacks', String(++ctx.counter.n));
    await cp(from, dir, { recursive: true, verbatimSymlinks: true });
    // A broken sibling the meta-buildpack does not name must not fail the build.
    const bp = await loadBuildpack(dir).catch(() => null);
    if (bp && !ctx.buildpacks.has(bp.id)) ctx.buildpacks.set(bp.id, bp);
  }
}

/**
 * Makes every buildpack the project names available in `buildpacks` (uri and script ones are
 * materialised under `scratchDir`) and returns their order references.
 */
async function materialise(refs: ProjectBuildpackRef[], ctx: { sourceDir: string; scratchDir: string; buildpacks: BuildpackSet; counter: { n: number } }): Promise<OrderRef[]> {
  const out: OrderRef[] = [];
  for (const ref of refs) {
    if (ref.kind === 'id') {
      if (!ctx.buildpacks.has(ref.id)) {
        throw new BuildError('detect', `project.toml names buildpack ${ref.id}, which DevFlow does not have (it has: ${[...ctx.buildpacks.keys()].join(', ')})`);
      }
      out.push({ id: ref.id, optional: false });
      continue;
    }
    const dir = join(ctx.scratchDir, 'project-buildpacks', String(++ctx.counter.n));
    if (ref.kind === 'uri') {
      const from = join(ctx.sourceDir, ref.path);
      if (!existsSync(join(from, 'buildpack.toml'))) throw new BuildError('detect', `project.toml: buildpack uri "${ref.path}" has no buildpack.toml`);
      await cp(from, dir, { recursive: true, verbatimSymlinks: true });
    } else {
      await writeInlineBuildpack(dir, ref);
    }
    const bp = await loadBuildpack(dir, ref.kind === 'uri' ? `${ref.path}/buildpack.toml (in the repository)` : `project.toml inline buildpack ${ref.id}`);
    ctx.buildpacks.set(bp.id, bp);
    if (bp.order && ref.kind === 'uri') await loadSiblings(join(ctx.sourceDir, ref.path), ctx);
    out.push({ id: bp.id, optional: false });
  }
  return out;
}

/** The order to detect with: the project's group (with pre/post), or the default order with pre/post. */
export async function projectOrder(project: ProjectDescriptor, defaults: Order, ctx: { sourceDir: string; scratchDir: string; buildpacks: BuildpackSet }): Promise<Order> {
  const c = { ...ctx, counter: { n: 0 } };
  const pre = await materialise(project.pre, c);
  const post = await materialise(project.post, c);
  if (project.group) return [[...pre, ...(await materialise(project.group, c)), ...post]];
  return defaults.map((group) => [...pre, ...group, ...post]);
}

export async function removeScratchBuildpacks(scratchDir: string): Promise<void> {
  await rm(join(scratchDir, 'project-buildpacks'), { recursive: true, force: true });
}
