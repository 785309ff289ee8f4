/** Small HTTP pieces of the storage service: bounded JSON bodies and JSON answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { storageErrors, type StorageApiError } from './errors.js';

/** Request bodies of the JSON routes (list, move, sign, bucket settings) are small. */
const MAX_JSON_BODY = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw storageErrors.entityTooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw storageErrors.invalidRequest('Body is not a JSON object');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStorageError(res: ServerResponse, err: StorageApiError): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  sendJson(res, err.httpStatus, err.body());
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
