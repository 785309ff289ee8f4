/** The one place that maps typed errors to HTTP statuses and the error envelope. */
import type { NextFunction, Request, Response } from 'express';
import { DevflowError, type ErrorCode } from '../core/errors.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  build_failed: 422,
  release_failed: 422,
  runtime_unavailable: 503,
  internal: 500,
};

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof DevflowError) {
    sendError(res, STATUS[err.code], err.code, err.message);
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') return sendError(res, 413, 'too_large', 'request body is too large (limit 1 MB)');
  if (e.type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', 'request body is not valid JSON');
  sendError(res, 500, 'internal', 'internal error; see the DevFlow server log');
  console.error('devflow api error:', err);
}

/** The HTTP status of a typed error, for answers that are not Express responses (a refused WebSocket upgrade). */
export function statusOfError(err: DevflowError): number {
  return STATUS[err.code];
}
