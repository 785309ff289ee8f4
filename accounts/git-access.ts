/**
 * Git's side of the one permission check (issue 19): fetching and pushing need the `deploy`
 * action on the app (as the deploy scope did before), decided by the same table as the API. A
 * push that is let through is an audit row (`git.push`) with the client's address and the
 * request id the receiver echoed, as API changes have; its deployment is recorded by the deploy
 * itself.
 */
import type { Sql } from '../core/store/database.js';
import { recordAudit } from './audit.js';
import { authorize } from './authorize.js';
import { accessFromSecret } from './credentials.js';
import { scopeAllows, type Decision } from './permissions.js';

/** The name a push is recorded under, or undefined when the credential cannot use git at all. */
export async function gitActor(sql: Sql, secret: string): Promise<string | undefined> {
  const access = await accessFromSecret(sql, secret);
  return access && scopeAllows(access.scopes, 'deploy') ? access.actor : undefined;
}

export async function gitDecision(
  sql: Sql, secret: string, app: string, service: 'upload-pack' | 'receive-pack', rpc: boolean,
  origin: { sourceIp: string | null; requestId: string | null } = { sourceIp: null, requestId: null },
): Promise<Decision> {
  const access = await accessFromSecret(sql, secret);
  if (!access) return 'not_found';
  const verdict = await authorize(sql, access, 'deploy', { kind: 'app', name: app });
  if (verdict.decision === 'allowed' && service === 'receive-pack' && rpc) {
    await recordAudit(sql, { actor: access.actor, team: verdict.team ?? null, app, action: 'git.push', target: null, ...origin });
  }
  return verdict.decision;
}
