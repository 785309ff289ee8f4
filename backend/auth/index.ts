/**
 * backend/auth: the Supabase Auth API of a project (README.md beside). The foundation calls:
 * - authSchemaSql(owner) when provisioning a project's database (after projectDatabaseSql),
 * - createAuthService(options) once, and mounts it under "auth/v1",
 * - with the platform's mailer (core/mail/platform.ts: DEVFLOW_SMTP_URL, or the embedded catcher,
 *   whose mails core/mail/catcher.ts listCaughtMail() reads back).
 */
export { authSchemaSql } from './schema-sql.js';
export { createAuthService, type AuthServiceOptions } from './service.js';
export type { Mailer, OutgoingMail } from './mail.js';
export { providerConfig, type OAuthProviderConfig, type OAuthProviderName } from './oauth.js';
export { DEFAULT_RATE_LIMITS, type AuthRateLimits } from './rate-limit.js';
export { BCRYPT_COST } from './passwords.js';
