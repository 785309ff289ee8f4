/**
 * PostgREST's error responses (docs.postgrest.org, "Errors"): a JSON object with `code`,
 * `message`, `details` and `hint`, and an HTTP status derived from the SQLSTATE for errors
 * PostgreSQL raised, or fixed per PGRST code for the API's own errors.
 */
import type { BackendRole } from '../contract.js';

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly hint: string | null = null,
    /** Extra response headers (e.g. Content-Range on a 416). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }

  body(): string {
    return JSON.stringify({ code: this.code, details: this.details, hint: this.hint, message: this.message });
  }
}

/** PGRST100: the query string does not parse. */
export function parseError(what: string, details: string): RestError {
  return new RestError(400, 'PGRST100', `"failed to parse ${what}"`, details);
}

export function columnNotFound(column: string, table: string): RestError {
  return new RestError(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`);
}

/** An unknown column in select, filters or order: PostgreSQL's own error, as PostgREST forwards it. */
export function undefinedColumn(table: string, column: string): RestError {
  return new RestError(400, '42703', `column ${table}.${column} does not exist`);
}

export function tableNotFound(schema: string, table: string, hint: string | null): RestError {
  return new RestError(404, 'PGRST205', `Could not find the table '${schema}.${table}' in the schema cache`, null, hint);
}

/** SQLSTATE classes and codes to HTTP statuses, as PostgREST's table lists them. */
const EXACT: Record<string, number> = {
  '23503': 409, '23505': 409, '25006': 405, '53400': 500, P0001: 400, '42883': 404, '42P01': 404,
  '42P17': 500, '21000': 400,
};
const CLASS: Record<string, number> = {
  '08': 503, '09': 500, '0L': 403, '0P': 403, '25': 500, '28': 403, '2D': 500, '38': 500, '39': 500,
  '3B': 500, '40': 500, '53': 503, '54': 500, '55': 500, '57': 500, '58': 500, F0: 500, HV: 500, P0: 500, XX: 500,
};

export function statusForSqlState(sqlState: string, role: BackendRole): number {
  // 42501 is "you lack the privilege": a request without a user could sign in; a user cannot.
  if (sqlState === '42501') return role === 'anon' ? 401 : 403;
  if (EXACT[sqlState] !== undefined) return EXACT[sqlState];
  const status = CLASS[sqlState.slice(0, 2)];
  if (status !== undefined) return status;
  // RAISE with a PTxyz code sets the status itself (PostgREST's custom status convention).
  if (/^PT\d{3}$/.test(sqlState)) return Number(sqlState.slice(2));
  return 400;
}

interface PostgresErrorLike {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

export function isPostgresError(err: unknown): err is PostgresErrorLike {
  return err instanceof Error && err.name === 'PostgresError' && typeof (err as { code?: unknown }).code === 'string';
}

export function restErrorFromPostgres(err: PostgresErrorLike, role: BackendRole): RestError {
  return new RestError(statusForSqlState(err.code, role), err.code, err.message, err.detail ?? null, err.hint ?? null);
}
