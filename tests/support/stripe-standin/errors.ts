/**
 * Stripe's error shape (API reference, "Errors"): a status and a body
 * `{ error: { type, code?, message, param? } }`; `invalid_request_error` for bad parameters and
 * missing objects, `idempotency_error` for a key reused with other parameters.
 */
export type StripeErrorType = 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error';

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    /** Sent as `Stripe-Should-Retry` (the stripe package reads it). */
    readonly shouldRetry?: boolean,
  ) {
    super(message);
  }

  body(): { error: Record<string, string> } {
    const error: Record<string, string> = { type: this.type, message: this.message };
    if (this.code) error.code = this.code;
    if (this.param) error.param = this.param;
    return { error };
  }
}

export const missingParam = (param: string) =>
  new StripeApiError(400, 'invalid_request_error', `Missing required param: ${param}.`, 'parameter_missing', param);

export const unknownParam = (param: string) =>
  new StripeApiError(400, 'invalid_request_error', `Received unknown parameter: ${param}`, 'parameter_unknown', param);

export const invalidParam = (param: string, message: string, code?: string) =>
  new StripeApiError(400, 'invalid_request_error', message, code, param);

/** `No such customer: 'cus_x'`, 404 (param set when the id came in a parameter). */
export const noSuch = (what: string, id: string, param?: string) =>
  new StripeApiError(param ? 400 : 404, 'invalid_request_error', `No such ${what}: '${id}'`, 'resource_missing', param);
