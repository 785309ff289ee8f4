/**
 * api/: the HTTP edge. The REST API (`/api/v1`, its OpenAPI document) and the web dashboard it
 * serves, the pull-request webhook endpoint, and the limit on failed authentications that guards
 * both the API and git. Only this layer maps DevFlow's typed errors to HTTP statuses.
 */
export { createApi } from './api.js';
export type { ApiDeps } from './deps.js';
export { guardAuthFailures, limiterFromEnv } from './rate-limit.js';
export { handleWebhook, type WebhookReceiver } from './webhooks.js';
export { createRunTtyUpgrade, type RunTtyDeps } from './run-tty.js';
