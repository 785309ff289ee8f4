/**
 * What a verified push delivery means for a connected app (issue 22). Pure, table-tested.
 * A push to the connection's deploy branch deploys (unless only tags deploy), and so does a tag
 * push whose name matches the connection's tag pattern (`v*`: releases cut by tagging); other
 * branches and tags are left to their own events (pull requests deploy previews); a deleted
 * branch or tag never removes anything; with a base directory, a push whose commits touch
 * nothing under it is skipped, unless forced or unless the payload cannot tell (a new branch, a
 * tag, a forced push, a list cut short).
 */
import type { PushEvent } from './host-event.js';

export interface ConnectionRule {
  branch: string;
  /** Monorepo folder that is built, without leading or trailing slash; null for the whole repository. */
  baseDir: string | null;
  /** Tags whose pushes deploy, a glob (`v*`); null or absent: tag pushes do not deploy. */
  tagPattern?: string | null;
  /** False: only matching tags deploy, pushes to the branch do not. Absent means true. */
  branchDeploys?: boolean;
}

/** `ref` is the full ref fetched (refs/heads/main, refs/tags/v1.2.0); `name` the branch or tag name. */
export type PushPlan =
  | { action: 'deploy'; sha: string; ref: string; kind: 'branch' | 'tag'; name: string }
  | { action: 'ignore'; reason: string };

export function planPush(event: PushEvent, rule: ConnectionRule, force = false): PushPlan {
  if (event.ref.startsWith('refs/tags/')) return planTag(event, rule);
  if (!event.ref.startsWith('refs/heads/')) return { action: 'ignore', reason: `${event.ref} is not a branch` };
  const branch = event.ref.slice('refs/heads/'.length);
  if (branch !== rule.branch) return { action: 'ignore', reason: `pushes to ${branch} do not deploy (the deploy branch is ${rule.branch})` };
  if (event.deleted) return { action: 'ignore', reason: `${branch} was deleted on the host: nothing is removed, the app keeps its current release` };
  if (rule.branchDeploys === false) return { action: 'ignore', reason: `only tags matching ${rule.tagPattern} deploy, not pushes to ${branch}` };
  if (!force && rule.baseDir !== null && event.pathsComplete && !event.changedPaths.some((p) => isUnder(p, rule.baseDir!))) {
    return { action: 'ignore', reason: `no change under ${rule.baseDir}/ (git:deploy forces a deploy)` };
  }
  return { action: 'deploy', sha: event.after, ref: event.ref, kind: 'branch', name: branch };
}

function planTag(event: PushEvent, rule: ConnectionRule): PushPlan {
  const tag = event.ref.slice('refs/tags/'.length);
  if (!rule.tagPattern) return { action: 'ignore', reason: `tag ${tag}: tag pushes do not deploy (git:connect … --tags 'v*' makes them)` };
  if (!tagMatches(rule.tagPattern, tag)) return { action: 'ignore', reason: `tag ${tag} does not match ${rule.tagPattern}` };
  if (event.deleted) return { action: 'ignore', reason: `tag ${tag} was deleted on the host: nothing is removed, the app keeps its current release` };
  // A tag names a commit, not a change: the base directory's rule does not apply to it.
  return { action: 'deploy', sha: event.after, ref: event.ref, kind: 'tag', name: tag };
}

/**
 * A tag pattern, read like a path glob so that `v*` does not reach into `v1/hotfix`: `*` is any
 * run of characters but `/`, `**` any run at all, `?` one character but `/`; the rest is literal.
 */
export function tagMatches(pattern: string, tag: string): boolean {
  const source = pattern.split(/(\*\*|\*|\?)/).map((part) =>
    part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${source}$`).test(tag);
}

/** A tag pattern as stored: what may be in a tag name (git-check-ref-format(1)) plus the wildcards; '' means none. */
export function normaliseTagPattern(input: string | undefined | null): string | null {
  const pattern = (input ?? '').trim().replace(/^refs\/tags\//, '');
  if (pattern === '') return null;
  if (/[\s~^:\\[\]\x00-\x1f\x7f]|\.\.|@\{|^[-/.]|[/.]$|\/\/|\.lock$/.test(pattern)) {
    throw new RangeError(`"${input}" is not a tag pattern (e.g. v* or release/**)`);
  }
  return pattern;
}

function isUnder(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

/** A base directory as stored: relative, no `..`, no leading or trailing slash; '' and '.' mean none. */
export function normaliseBaseDir(input: string | undefined | null): string | null {
  const dir = (input ?? '').trim().replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (dir === '' || dir === '.') return null;
  if (dir.split('/').some((part) => part === '..' || part === '.' || part === '') || dir.includes('\\') || dir.startsWith(':')) {
    throw new RangeError(`"${input}" is not a folder of the repository (e.g. services/web)`);
  }
  return dir;
}
