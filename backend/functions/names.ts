/**
 * Function names and file paths, validated once at the edge. A name is a URL path segment
 * (`/functions/v1/<name>`) and a folder name on disk, so it is held to Supabase's slug rule:
 * a letter, then letters, digits, `-` and `_`. Uploaded paths stay inside the function's folder.
 */
import { InvalidInputError } from '../../core/errors.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export function isFunctionName(name: string): boolean {
  return NAME.test(name);
}

export function parseFunctionName(name: string): string {
  if (!isFunctionName(name)) {
    throw new InvalidInputError(`"${name}" is not a function name: use a letter, then letters, digits, - or _ (at most 63)`);
  }
  return name;
}

/**
 * The function and the rest of an invocation path after `/functions/v1`: `/hello/a?b=1` →
 * `{ name: 'hello', rest: '/a?b=1' }`; undefined when no valid name leads it.
 */
export function splitInvocationPath(path: string): { name: string; rest: string } | undefined {
  const match = /^\/([^/?]+)(.*)$/.exec(path);
  if (!match || !isFunctionName(match[1]!)) return undefined;
  return { name: match[1]!, rest: match[2]! };
}

/** A relative path inside the function's folder, with `/` separators; refuses escapes. */
export function parseUploadPath(raw: string): string {
  const parts = raw.replace(/^\.\//, '').split('/');
  const bad = raw === '' || raw.startsWith('/') || raw.includes('\\') || raw.includes('\0')
    || parts.some((p) => p === '' || p === '.' || p === '..');
  if (bad) throw new InvalidInputError(`"${raw}" is not a file path inside the function's folder`);
  return parts.join('/');
}
