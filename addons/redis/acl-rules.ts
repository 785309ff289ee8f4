/**
 * One app's Redis ACL user (Redis 7 "ACL" docs, ACL SETUSER): it may touch only keys and
 * channels under its own prefix `<app>:`, and none of the commands that act on the whole server
 * or list other apps' key names. Pure, with table tests beside it.
 */
import type { AppName } from '../../core/names.js';

/** Key-space-wide or server-wide commands an app user is denied besides @admin and @dangerous. */
const DENIED = ['scan', 'randomkey', 'select', 'swapdb', 'move', 'wait', 'failover'];

export function aclUserName(app: AppName): string {
  return `app_${app}`;
}

export function keyPrefix(app: AppName): string {
  return `${app}:`;
}

/** The arguments of `ACL SETUSER <user> …`; `reset` first, so a re-run leaves exactly these. */
export function aclRules(app: AppName, password: string): string[] {
  const prefix = keyPrefix(app);
  return ['reset', 'on', `>${password}`, `~${prefix}*`, `&${prefix}*`, '+@all', '-@admin', '-@dangerous', ...DENIED.map((c) => `-${c}`)];
}
