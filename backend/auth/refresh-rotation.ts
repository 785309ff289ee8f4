/**
 * Refresh-token rotation with reuse detection, as Supabase Auth does it: each refresh revokes
 * the token used and issues its child in the same session. A revoked token presented again is
 * either a client racing itself (two tabs refreshing at once, within the reuse interval, while
 * its child is still the session's active token: both get the active token back) or a stolen
 * token replayed (then the whole session, the token family, is revoked).
 */

/** GoTrue's default GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, in seconds. */
export const REFRESH_TOKEN_REUSE_INTERVAL_S = 10;

export interface PresentedToken {
  revoked: boolean;
  /** When the token was last changed: for a revoked token, when it was revoked. */
  updatedAtMs: number;
  /** The token string of the session's active (unrevoked) token's parent, if any. */
  activeTokenParent: string | null;
  token: string;
}

export type RefreshDecision = 'rotate' | 'return-active' | 'revoke-family';

export function decideRefresh(presented: PresentedToken, nowMs: number, reuseIntervalS = REFRESH_TOKEN_REUSE_INTERVAL_S): RefreshDecision {
  if (!presented.revoked) return 'rotate';
  const withinInterval = nowMs - presented.updatedAtMs <= reuseIntervalS * 1000;
  const isParentOfActive = presented.activeTokenParent === presented.token;
  return withinInterval && isParentOfActive ? 'return-active' : 'revoke-family';
}
