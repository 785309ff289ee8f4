/**
 * The names and limits Supabase Storage accepts, checked once at the edge: bucket ids, object
 * keys, file size limits ("20MB", 1024) and allowed MIME types ("image/*").
 *
 * Object keys never reach the file system (bytes live under a random version id, see disk.ts);
 * they are still refused when they could mean something else to a path-minded reader: `.` and
 * `..` segments, empty segments, a leading `/`, control characters, `%` and `\` (so an encoded
 * `%2e%2e` that a second decoder would turn into `..` is refused too).
 */
import { storageErrors } from './errors.js';

/** The characters Supabase allows in bucket names and keys (letters and digits of any script here). */
const SAFE = "[\\p{L}\\p{N}_!\\-.*'() &$@=;:+,?]";
const BUCKET_NAME = new RegExp(`^${SAFE}{1,100}$`, 'u');
const KEY_CHARS = new RegExp(`^(?:${SAFE}|/)+$`, 'u');
const MAX_KEY_LENGTH = 1024;

export function checkBucketName(name: unknown): string {
  if (typeof name !== 'string' || !BUCKET_NAME.test(name) || name === '.' || name === '..' || name.trim() !== name) {
    throw storageErrors.invalidBucketName();
  }
  return name;
}

export function checkObjectKey(key: string): string {
  const segments = key.split('/');
  const bad = key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_CHARS.test(key)
    || segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw storageErrors.invalidKey(key);
  return key;
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** A bucket's file_size_limit: a byte count or "<n><unit>" as Supabase accepts; null for none. */
export function parseFileSizeLimit(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(value);
    if (m) return Math.floor(Number(m[1]) * (UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
  }
  throw storageErrors.invalidRequest('Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B');
}

export function parseAllowedMimeTypes(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !/^[\w.+-]+\/[\w.+*-]+$/.test(v))) {
    throw storageErrors.invalidRequest('allowed_mime_types must be a list of MIME types such as image/png or image/*');
  }
  return value.length === 0 ? null : value;
}

/** The MIME type without parameters, lowercased: "text/plain;charset=UTF-8" → "text/plain". */
export function baseMimeType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function mimeTypeAllowed(contentType: string, allowed: string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true;
  const [type, sub] = baseMimeType(contentType).split('/');
  return allowed.some((pattern) => {
    const [t, s] = pattern.toLowerCase().split('/');
    return t === type && (s === '*' || s === sub);
  });
}
