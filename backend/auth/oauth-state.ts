/**
 * The `state` of an OAuth round trip: a short-lived HS256 JWT naming the provider, where to
 * send the browser afterwards and the PKCE flow, so the callback needs no server-side memory
 * and a forged or replayed-late state is refused. Its key is derived from the project's secret
 * for this one purpose, so a state can never pass as an access token.
 */
import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { authErrors } from './errors.js';
import type { OAuthProviderName } from './oauth.js';

const STATE_TTL_S = 600;

export interface OAuthState {
  provider: OAuthProviderName;
  redirectTo: string;
  flowStateId: string | null;
}

function stateKey(projectSecret: string): Uint8Array {
  return createHmac('sha256', projectSecret).update('devflow-oauth-state').digest();
}

export async function signOAuthState(state: OAuthState, projectSecret: string): Promise<string> {
  return new SignJWT({ provider: state.provider, referrer: state.redirectTo, flow_state_id: state.flowStateId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(`${STATE_TTL_S}s`)
    .setAudience('oauth-state')
    .sign(stateKey(projectSecret));
}

export async function verifyOAuthState(token: string, projectSecret: string): Promise<OAuthState> {
  try {
    const { payload } = await jwtVerify(token, stateKey(projectSecret), { algorithms: ['HS256'], audience: 'oauth-state' });
    return {
      provider: payload.provider as OAuthProviderName,
      redirectTo: String(payload.referrer),
      flowStateId: typeof payload.flow_state_id === 'string' ? payload.flow_state_id : null,
    };
  } catch {
    throw authErrors.badOAuthState();
  }
}
