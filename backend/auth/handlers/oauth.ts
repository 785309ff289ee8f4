/**
 * GET /authorize (send the browser to the provider) and GET /callback (the provider sends it
 * back with a code): the OAuth sign-in of Supabase Auth's external providers. The callback
 * finds the user by identity, else links a verified address to its existing user, else creates
 * a user; then redirects to the app with tokens in the fragment, or `?code=` for PKCE.
 */
import type { Sql } from '../../../core/store/database.js';
import type { AuthDeps } from '../deps.js';
import { AuthApiError, authErrors } from '../errors.js';
import { createFlowState, issueAuthCodeForFlow, pkceParams } from '../flow-state.js';
import { redirect, type AuthReply, type AuthRequest } from '../http.js';
import {
  authorizeUrl, exchangeCode, fetchProviderUser, identityData, isProviderName, type OAuthProviderConfig, type OAuthProviderName,
  type ProviderUser,
} from '../oauth.js';
import { signOAuthState, verifyOAuthState } from '../oauth-state.js';
import { allowedRedirect, withParams } from '../redirects.js';
import { signIn } from '../sign-in.js';
import { findUserByEmail, findUserById, insertIdentity, insertUser, type UserRow } from '../users.js';
import { inTransaction } from '../db.js';
import { returnedRow } from '../db.js';

async function providerConfig(req: AuthRequest, deps: AuthDeps, name: unknown): Promise<OAuthProviderConfig> {
  const configs = await deps.providers(req.ctx.project);
  const config = isProviderName(name) ? configs.find((c) => c.provider === name) : undefined;
  if (!config) throw authErrors.providerDisabled();
  return config;
}

const callbackUrl = (req: AuthRequest) => `${req.ctx.project.url}/auth/v1/callback`;

export async function authorize(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  const config = await providerConfig(req, deps, req.query.get('provider'));
  const redirectTo = allowedRedirect(req.query.get('redirect_to'), project.auth.siteUrl, project.url);
  const pkce = pkceParams(req.query.get('code_challenge'), req.query.get('code_challenge_method'));
  const flowStateId = pkce ? await createFlowState(project.sql, pkce, { userId: null, providerType: config.provider, method: 'oauth' }) : null;
  const state = await signOAuthState({ provider: config.provider, redirectTo, flowStateId }, project.keys.jwtSecret);
  return redirect(authorizeUrl(config, callbackUrl(req), state, req.query.get('scopes')));
}

export async function callback(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { project } = req.ctx;
  const stateToken = req.query.get('state') ?? '';
  const state = await verifyOAuthState(stateToken, project.keys.jwtSecret);
  const fail = (code: string, description: string) =>
    redirect(withParams(state.redirectTo, { error: 'server_error', error_code: code, error_description: description }, 'fragment'));
  const providerError = req.query.get('error');
  if (providerError) return fail('bad_oauth_callback', req.query.get('error_description') ?? providerError);
  const code = req.query.get('code');
  if (!code) return fail('bad_oauth_callback', 'OAuth callback with missing authorization code');
  const config = await providerConfig(req, deps, state.provider);
  let providerUser: ProviderUser;
  let providerToken: string;
  try {
    providerToken = await exchangeCode(config, code, callbackUrl(req));
    providerUser = await fetchProviderUser(config, providerToken);
  } catch (error) {
    return fail('bad_oauth_callback', `Error getting user profile from external provider: ${(error as Error).message}`);
  }
  try {
    return await inTransaction(project.sql, async (tx) => {
      const user = await userForIdentity(tx, req, config.provider, providerUser);
      if (state.flowStateId) {
        const authCode = await issueAuthCodeForFlow(tx, state.flowStateId, user.id);
        if (!authCode) throw authErrors.flowStateNotFound();
        return redirect(withParams(state.redirectTo, { code: authCode }, 'query'));
      }
      const session = await signIn(tx, req, user, 'oauth');
      return redirect(withParams(state.redirectTo, {
        access_token: session.access_token, expires_at: String(session.expires_at), expires_in: String(session.expires_in),
        provider_token: providerToken, refresh_token: session.refresh_token, token_type: 'bearer',
      }, 'fragment'));
    });
  } catch (error) {
    if (error instanceof AuthApiError) return fail(error.code, error.message);
    throw error;
  }
}

async function userForIdentity(tx: Sql, req: AuthRequest, provider: OAuthProviderName, external: ProviderUser): Promise<UserRow> {
  const data = identityData(provider, external);
  const [known] = await tx<{ user_id: string }[]>`
    UPDATE auth.identities SET identity_data = ${JSON.stringify(data)}::text::jsonb, last_sign_in_at = now(), updated_at = now()
    WHERE provider = ${provider} AND provider_id = ${external.id} RETURNING user_id`;
  if (known) {
    const user = await findUserById(tx, known.user_id);
    if (user) return user;
  }
  // A verified address already known links the new identity to that user, as Supabase does.
  const sameEmail = external.email && external.emailVerified ? await findUserByEmail(tx, external.email) : undefined;
  if (sameEmail) {
    await insertIdentity(tx, sameEmail.id, provider, external.id, data);
    const linked = returnedRow(await tx<UserRow[]>`
      UPDATE auth.users SET raw_app_meta_data = jsonb_set(coalesce(raw_app_meta_data, '{}'), '{providers}',
        (SELECT coalesce(jsonb_agg(DISTINCT p), '[]') FROM (
          SELECT jsonb_array_elements_text(coalesce(raw_app_meta_data -> 'providers', '[]')) AS p UNION SELECT ${provider}) all_providers)),
        updated_at = now()
      WHERE id = ${sameEmail.id} RETURNING *`);
    return linked;
  }
  const { project } = req.ctx;
  if (project.auth.disableSignup) throw authErrors.signupDisabled();
  if (external.email && (await findUserByEmail(tx, external.email))) throw authErrors.emailExists();
  const user = await insertUser(tx, {
    email: external.email, encryptedPassword: null, confirmed: external.emailVerified,
    appMetadata: { provider, providers: [provider] }, userMetadata: data,
  });
  await insertIdentity(tx, user.id, provider, external.id, data);
  return user;
}
