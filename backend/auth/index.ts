/**
 * backend/auth: the Supabase Auth API of a project (README.md beside). The foundation calls:
 * - authSchemaSql(owner) when provisioning a project's database (after projectDatabaseSql),
 * - createAuthService(options) once, and mounts it under "auth/v1",
 * - caughtMailSql() and startMailCatcher() in the embedded default (no DEVFLOW_SMTP_URL), then
 *   smtpMailer(catcher.url) as the service's mailer; listCaughtMail() for the CLI and dashboard.
 */
export { authSchemaSql } from './schema-sql.js';
export { createAuthService, type AuthServiceOptions } from './service.js';
export { smtpMailer, type Mailer, type OutgoingMail } from './mail.js';
export { caughtMailSql, listCaughtMail, startMailCatcher, type CaughtMail, type MailCatcher } from './mail-catcher.js';
export type { OAuthProviderConfig, OAuthProviderName } from './oauth.js';
export { DEFAULT_RATE_LIMITS, type AuthRateLimits } from './rate-limit.js';
export { BCRYPT_COST } from './passwords.js';
