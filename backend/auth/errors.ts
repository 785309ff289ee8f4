/**
 * Supabase Auth's API errors: an HTTP status, a machine-readable `error_code` and a message, as
 * listed in Supabase's "Auth error codes" reference. Handlers throw AuthApiError; only the
 * service's HTTP layer renders one (renderAuthError).
 *
 * GoTrue has two bodies: clients that send `X-Supabase-Api-Version: 2024-01-01` (supabase-js 2.x
 * does) get `{ code, message }` and the same header back, so the client reads `code`; older
 * clients get `{ code: <status>, error_code, msg }`. A weak password adds `weak_password.reasons`.
 */
export const API_VERSION_HEADER = 'x-supabase-api-version';
export const API_VERSION_2024 = '2024-01-01';

export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reasons?: string[],
  ) {
    super(message);
    this.name = 'AuthApiError';
  }
}

const err = (status: number, code: string, message: string) => () => new AuthApiError(status, code, message);

/** The errors this service returns, by name; statuses and codes are Supabase's. */
export const authErrors = {
  badJson: err(400, 'bad_json', 'Could not parse request body as JSON'),
  invalidCredentials: err(400, 'invalid_credentials', 'Invalid login credentials'),
  emailNotConfirmed: err(400, 'email_not_confirmed', 'Email not confirmed'),
  userBanned: err(400, 'user_banned', 'User is banned'),
  refreshTokenNotFound: err(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found'),
  refreshTokenAlreadyUsed: err(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
  badCodeVerifier: err(400, 'bad_code_verifier', 'code challenge does not match previously saved code verifier'),
  noAuthorization: err(401, 'no_authorization', 'This endpoint requires a valid Bearer token'),
  notAdmin: err(403, 'not_admin', 'User not allowed'),
  sessionNotFound: err(403, 'session_not_found', 'Session from session_id claim in JWT does not exist'),
  otpExpired: err(403, 'otp_expired', 'Token has expired or is invalid'),
  userNotFound: err(404, 'user_not_found', 'User not found'),
  flowStateNotFound: err(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found'),
  flowStateExpired: err(400, 'flow_state_expired', 'Flow state has expired'),
  notFound: err(404, 'not_found', 'Not found'),
  methodNotAllowed: err(405, 'method_not_allowed', 'Method not allowed'),
  userAlreadyExists: err(422, 'user_already_exists', 'User already registered'),
  emailExists: err(422, 'email_exists', 'A user with this email address has already been registered'),
  signupDisabled: err(422, 'signup_disabled', 'Signups not allowed for this instance'),
  anonymousDisabled: err(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled'),
  samePassword: err(422, 'same_password', 'New password should be different from the old password.'),
  providerDisabled: err(400, 'validation_failed', 'Unsupported provider: provider is not enabled'),
  badOAuthState: err(400, 'bad_oauth_state', 'OAuth state parameter is invalid'),
  requestRateLimit: err(429, 'over_request_rate_limit', 'Request rate limit reached'),
} as const;

export function validationFailed(message: string, status = 400): AuthApiError {
  return new AuthApiError(status, 'validation_failed', message);
}

export function badJwt(reason: string): AuthApiError {
  return new AuthApiError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
}

export function weakPassword(message: string, reasons: string[]): AuthApiError {
  return new AuthApiError(422, 'weak_password', message, reasons);
}

export function emailSendRateLimit(retryAfterS: number): AuthApiError {
  return new AuthApiError(429, 'over_email_send_rate_limit',
    `For security purposes, you can only request this after ${retryAfterS} seconds.`);
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Renders an error for the API version the client asked for (header value, may be absent). */
export function renderAuthError(error: AuthApiError, requestedVersion: string | undefined): RenderedError {
  const weak = error.reasons ? { weak_password: { reasons: error.reasons } } : {};
  if (requestedVersion !== undefined && requestedVersion >= API_VERSION_2024 && /^\d{4}-\d{2}-\d{2}$/.test(requestedVersion)) {
    return {
      status: error.status,
      headers: { 'X-Supabase-Api-Version': API_VERSION_2024 },
      body: { code: error.code, message: error.message, ...weak },
    };
  }
  return { status: error.status, headers: {}, body: { code: error.status, error_code: error.code, msg: error.message, ...weak } };
}

/** Anything not an AuthApiError is a failure of ours: 500 without internals. */
export function asAuthApiError(error: unknown): AuthApiError {
  if (error instanceof AuthApiError) return error;
  return new AuthApiError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
}
