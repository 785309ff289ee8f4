/**
 * What the auth service's handlers share: the mailer, rate limits, OAuth providers and the
 * public keys it serves. The foundation fills these once (createAuthService's options).
 */
import type { BackendProject } from '../contract.js';
import { authErrors, emailSendRateLimit } from './errors.js';
import type { Mailer } from './mail.js';
import type { OAuthProviderConfig } from './oauth.js';
import type { AuthRateLimits, RateLimiter } from './rate-limit.js';

export interface AuthDeps {
  mailer: Mailer;
  mailFrom: string;
  limiter: RateLimiter;
  limits: AuthRateLimits;
  /** The OAuth providers a project has configured (client id and secret), possibly none. */
  providers(project: BackendProject): Promise<OAuthProviderConfig[]>;
  /** The project's public signing keys as JWKs, served at /.well-known/jwks.json. */
  jwks(project: BackendProject): Promise<unknown[]>;
}

/** Counts one request against a limit; over it, Supabase's 429 for that kind. */
export function enforceRateLimit(deps: AuthDeps, project: BackendProject, which: keyof AuthRateLimits, subject: string): void {
  const taken = deps.limiter.take(`${project.ref}|${which}|${subject}`, deps.limits[which]);
  if (taken.allowed) return;
  throw which === 'otpPerEmail' ? emailSendRateLimit(taken.retryAfterS) : authErrors.requestRateLimit();
}
