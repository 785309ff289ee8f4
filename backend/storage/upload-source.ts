/**
 * The bytes of an upload and what describes them, as storage-js sends them: either the raw body
 * with Content-Type, Cache-Control ("max-age=3600") and x-metadata (base64 JSON), or a
 * multipart/form-data body whose fields `cacheControl` and `metadata` come before one file part.
 * The file is handed on as a stream the moment its part begins; nothing is buffered whole.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { storageErrors } from './errors.js';
import { header } from './http.js';

export interface UploadSource {
  body: Readable;
  contentType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | null;
  /** The declared length of a raw body, to refuse an oversized upload before reading it. */
  declaredLength?: number;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export function cacheControlOf(value: string | undefined): string {
  if (!value) return 'max-age=3600';
  return /^\d+$/.test(value.trim()) ? `max-age=${value.trim()}` : value;
}

function parseMetadata(text: string | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw storageErrors.invalidRequest('metadata must be a JSON object');
}

export function uploadSource(req: IncomingMessage): Promise<UploadSource> {
  const type = header(req, 'content-type') ?? '';
  if (/^multipart\/form-data/i.test(type)) return multipartSource(req);
  const length = header(req, 'content-length');
  const encoded = header(req, 'x-metadata');
  return Promise.resolve({
    body: req,
    contentType: type || DEFAULT_CONTENT_TYPE,
    cacheControl: cacheControlOf(header(req, 'cache-control')),
    userMetadata: parseMetadata(encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined),
    declaredLength: length !== undefined ? Number(length) : undefined,
  });
}

function multipartSource(req: IncomingMessage): Promise<UploadSource> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch (err) {
      reject(storageErrors.invalidRequest(`malformed multipart body: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let started = false;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      started = true;
      try {
        resolve({
          body: stream,
          contentType: info.mimeType || DEFAULT_CONTENT_TYPE,
          cacheControl: cacheControlOf(fields.cacheControl),
          userMetadata: parseMetadata(fields.metadata),
        });
      } catch (err) {
        stream.resume();
        reject(err);
      }
    });
    parser.on('error', (err: Error) => {
      if (!started) reject(storageErrors.invalidRequest(`malformed multipart body: ${err.message}`));
    });
    parser.on('close', () => {
      if (!started) reject(storageErrors.invalidRequest('No content provided'));
    });
    req.on('aborted', () => parser.destroy(new Error('request aborted')));
    req.pipe(parser);
  });
}
