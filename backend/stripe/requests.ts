/**
 * The bodies of the backend's Checkout and portal helpers (`POST /stripe/v1/checkout`,
 * `POST /stripe/v1/portal`), checked once here; whose customer the session is for comes from
 * the caller (caller.ts in service.ts), never from a field a user could set.
 */
import { InvalidInputError } from '../../core/errors.js';

export interface CheckoutRequest {
  price: string;
  quantity: number;
  mode: 'subscription' | 'payment';
  successUrl: string;
  cancelUrl: string;
  /** Only a service-role caller names the user (a server acting for one). */
  userId?: string;
}

export interface PortalRequest {
  returnUrl: string;
  userId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function url(name: string, value: unknown): string {
  if (typeof value === 'string') {
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return value;
    } catch { /* refused below */ }
  }
  throw new InvalidInputError(`${name} must be an http(s) URL`);
}

function objectBody(body: unknown, example: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError(`send a JSON object, e.g. ${example}`);
  return body as Record<string, unknown>;
}

function userIdOf(body: Record<string, unknown>): { userId?: string } {
  if (body.userId === undefined) return {};
  if (typeof body.userId !== 'string' || !UUID.test(body.userId)) throw new InvalidInputError('userId must be an Auth user id (a UUID)');
  return { userId: body.userId.toLowerCase() };
}

function refuseUnknown(body: Record<string, unknown>, known: string[]): void {
  const extra = Object.keys(body).find((k) => !known.includes(k));
  if (extra !== undefined) throw new InvalidInputError(`unknown field "${extra}": use ${known.join(', ')}`);
}

export function parseCheckoutRequest(input: unknown): CheckoutRequest {
  const body = objectBody(input, '{"price": "price_…", "successUrl": "https://…", "cancelUrl": "https://…"}');
  refuseUnknown(body, ['price', 'quantity', 'mode', 'successUrl', 'cancelUrl', 'userId']);
  if (typeof body.price !== 'string' || !/^price_[A-Za-z0-9]+$/.test(body.price)) throw new InvalidInputError('price must be a Stripe price id, price_…');
  const quantity = body.quantity ?? 1;
  if (!Number.isInteger(quantity) || (quantity as number) < 1) throw new InvalidInputError('quantity must be a whole number, at least 1');
  const mode = body.mode ?? 'subscription';
  if (mode !== 'subscription' && mode !== 'payment') throw new InvalidInputError('mode must be subscription or payment');
  return {
    price: body.price, quantity: quantity as number, mode,
    successUrl: url('successUrl', body.successUrl), cancelUrl: url('cancelUrl', body.cancelUrl), ...userIdOf(body),
  };
}

export function parsePortalRequest(input: unknown): PortalRequest {
  const body = objectBody(input, '{"returnUrl": "https://…"}');
  refuseUnknown(body, ['returnUrl', 'userId']);
  return { returnUrl: url('returnUrl', body.returnUrl), ...userIdOf(body) };
}
