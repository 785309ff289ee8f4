/**
 * What a resource module gives the server: routes (method, path pattern, the parameters the
 * API reference lists for it) and handlers that read and write one account. Parameters not in
 * the list are refused the way Stripe refuses them, so a request DevFlow sends that does not
 * match the published shape fails its test.
 */
import type { Account, StripeObject } from './account.js';
import { invalidParam, missingParam, unknownParam } from './errors.js';
import type { Form, FormValue } from './form.js';

export interface RouteContext {
  account: Account;
  params: Form;
  /** The path pattern's captures. */
  match: string[];
  /** The stand-in's own base URL, for the pages Checkout and the portal send users to. */
  base: string;
  /** Records an event of this account and delivers it to its webhook endpoints. */
  emit(type: string, object: StripeObject, previous?: Record<string, unknown>): StripeObject;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  /** Top-level parameters allowed besides `expand`. */
  params: readonly string[];
  handle(ctx: RouteContext): StripeObject | Promise<StripeObject>;
}

export function checkParams(params: Form, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (key !== 'expand' && !allowed.includes(key)) throw unknownParam(key);
  }
}

export function requiredString(params: Form, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParam(name);
  if (typeof value !== 'string') throw invalidParam(name, `Invalid string: ${JSON.stringify(value)}`);
  return value;
}

export function optionalString(params: Form, name: string): string | null {
  const value = params[name];
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw invalidParam(name, `Invalid string: ${JSON.stringify(value)}`);
  return value;
}

export function oneOf<T extends string>(params: Form, name: string, values: readonly T[]): T {
  const value = requiredString(params, name);
  if (!values.includes(value as T)) throw invalidParam(name, `Invalid ${name}: must be one of ${values.join(', ')}`);
  return value as T;
}

export function integer(value: FormValue | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw invalidParam(name, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer');
  return Number(value);
}

export function hashOf(params: Form, name: string): Record<string, FormValue> {
  const value = params[name];
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam(name, `Invalid object`);
  return value;
}

export function booleanOf(params: Form, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidParam(name, `Invalid boolean: ${String(value)}`);
  return value === 'true';
}
