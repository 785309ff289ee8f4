/**
 * What a verified push delivery means for a connected app (issue 22). Pure, table-tested.
 * Only a push to the connection's deploy branch deploys; tags and other branches are left to
 * their own events (pull requests deploy previews); a deleted deploy branch never removes
 * anything; with a base directory, a push whose commits touch nothing under it is skipped,
 * unless forced or unless the payload cannot tell (a new branch, a forced push, a list cut short).
 */
import type { PushEvent } from './host-event.js';

export interface ConnectionRule {
  branch: string;
  /** Monorepo folder that is built, without leading or trailing slash; null for the whole repository. */
  baseDir: string | null;
}

export type PushPlan = { action: 'deploy'; sha: string; branch: string } | { action: 'ignore'; reason: string };

export function planPush(event: PushEvent, rule: ConnectionRule, force = false): PushPlan {
  if (event.ref.startsWith('refs/tags/')) return { action: 'ignore', reason: `tag ${event.ref.slice('refs/tags/'.length)}: tag pushes do not deploy` };
  if (!event.ref.startsWith('refs/heads/')) return { action: 'ignore', reason: `${event.ref} is not a branch` };
  const branch = event.ref.slice('refs/heads/'.length);
  if (branch !== rule.branch) return { action: 'ignore', reason: `pushes to ${branch} do not deploy (the deploy branch is ${rule.branch})` };
  if (event.deleted) return { action: 'ignore', reason: `${branch} was deleted on the host: nothing is removed, the app keeps its current release` };
  if (!force && rule.baseDir !== null && event.pathsComplete && !event.changedPaths.some((p) => isUnder(p, rule.baseDir!))) {
    return { action: 'ignore', reason: `no change under ${rule.baseDir}/ (git:deploy forces a deploy)` };
  }
  return { action: 'deploy', sha: event.after, branch };
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
