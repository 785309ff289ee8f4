/**
 * GET /settings (what the project's auth allows, as supabase-js and the Supabase UI read it),
 * GET /health, and GET /.well-known/jwks.json (the project's public signing keys).
 */
import type { AuthDeps } from '../deps.js';
import { json, type AuthReply, type AuthRequest } from '../http.js';

export const AUTH_SERVICE_VERSION = 'devflow-auth/1';

export async function settings(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  const { auth } = req.ctx.project;
  const enabled = new Set((await deps.providers(req.ctx.project)).map((p) => p.provider));
  return json({
    external: {
      anonymous_users: auth.allowAnonymousSignIns, email: true, phone: false,
      github: enabled.has('github'), google: enabled.has('google'),
    },
    disable_signup: auth.disableSignup,
    mailer_autoconfirm: auth.mailerAutoconfirm,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
  });
}

export async function health(): Promise<AuthReply> {
  return json({ version: AUTH_SERVICE_VERSION, name: 'GoTrue', description: 'DevFlow serves the Supabase Auth API for this project' });
}

export async function jwks(req: AuthRequest, deps: AuthDeps): Promise<AuthReply> {
  return json({ keys: await deps.jwks(req.ctx.project) }, 200, { 'Cache-Control': 'public, max-age=600' });
}
