/**
 * The service's view of one HTTP request and its reply. Handlers are functions from an
 * AuthRequest to an AuthReply (a JSON body, an empty 204, or a redirect), so they never touch
 * the socket; the service writes replies and renders errors in one place (service.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../contract.js';
import { AuthApiError, authErrors } from './errors.js';

export interface AuthRequest {
  method: string;
  /** The path after the service prefix, without the query. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  ip: string;
  ctx: RequestContext;
}

export type AuthReply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'empty'; status: 204 }
  | { kind: 'redirect'; location: string };

export const json = (body: unknown, status = 200, headers?: Record<string, string>): AuthReply => ({ kind: 'json', status, body, headers });
export const noContent = (): AuthReply => ({ kind: 'empty', status: 204 });
export const redirect = (location: string): AuthReply => ({ kind: 'redirect', location });

const BODY_LIMIT = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (req.method === 'GET' || req.method === 'HEAD') return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new AuthApiError(413, 'request_too_large', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  const contentType = String(req.headers['content-type'] ?? '');
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw authErrors.badJson();
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof AuthApiError) throw error;
    throw authErrors.badJson();
  }
}

/**
 * The client address the per-IP limits count: the one the gateway decided (backend/client-address.ts
 * trusts X-Forwarded-For only from DevFlow's router or a configured proxy), else the socket's peer.
 * The header is never read here: its first entries are whatever the client wrote.
 */
export function clientIp(req: IncomingMessage, ctx: RequestContext): string {
  return ctx.clientAddress ?? req.socket.remoteAddress ?? 'unknown';
}

export function bodyString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

export function bodyObject(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = body[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
