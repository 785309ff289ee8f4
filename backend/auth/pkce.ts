/**
 * PKCE (RFC 7636) as Supabase Auth uses it: the client sends a code challenge when it starts a
 * flow (sign-up, magic link, recovery, OAuth); the link or redirect then carries an auth code
 * instead of tokens, and `grant_type=pkce` trades the code and the verifier for a session.
 */
import { createHash } from 'node:crypto';

export type ChallengeMethod = 's256' | 'plain';

/** GoTrue keeps a flow state for five minutes after its code is issued. */
export const FLOW_STATE_TTL_S = 300;

export function parseChallengeMethod(value: unknown): ChallengeMethod | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 's256' || lower === 'plain' ? lower : undefined;
}

export function challengeMatches(method: ChallengeMethod, challenge: string, verifier: string): boolean {
  const computed = method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === challenge;
}
