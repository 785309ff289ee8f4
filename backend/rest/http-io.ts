/**
 * The HTTP edges of the REST service: reading a body under a size limit, writing answers, and
 * turning any error into PostgREST's JSON error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendRole } from '../contract.js';
import { isPostgresError, RestError, restErrorFromPostgres } from './errors.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limit: number): RestError {
  return new RestError(413, 'PGRST102', `Request body is larger than the limit of ${limit} bytes`, null, null, { connection: 'close' });
}

export function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, role: BackendRole): void {
  const restError = toRestError(err, role);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...restError.headers };
  if (restError.status === 401) headers['www-authenticate'] = 'Bearer';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, restError.status, headers, req.method === 'HEAD' ? undefined : restError.body());
  // An oversized body is not read to its end: close the connection rather than drain it.
  if (restError.headers.connection === 'close') req.resume();
}

function toRestError(err: unknown, role: BackendRole): RestError {
  if (err instanceof RestError) return err;
  if (isPostgresError(err)) return restErrorFromPostgres(err, role);
  const message = err instanceof Error ? err.message : String(err);
  return new RestError(500, 'PGRST000', 'Internal error in the REST service', message);
}
