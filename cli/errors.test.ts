import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../core/errors.js';
import { EXIT, exitCodeFor } from './errors.js';

describe('exitCodeFor', () => {
  // Every code of core/errors.ts must have its row: the Record makes a new code a type error here.
  const apiCodes: Record<ErrorCode, number> = {
    invalid_input: EXIT.usage,
    not_found: EXIT.notFound,
    conflict: EXIT.conflict,
    unauthorized: EXIT.refused,
    forbidden: EXIT.refused,
    build_failed: EXIT.failed,
    release_failed: EXIT.failed,
    runtime_unavailable: EXIT.unavailable,
    internal: EXIT.serverError,
  };
  it.each(Object.entries(apiCodes))('API code %s → exit %i', (code, exit) => expect(exitCodeFor(code)).toBe(exit));

  it.each([
    // the HTTP layer's own codes, and the CLI's
    ['rate_limited', 429, 4],
    ['invalid_json', 400, 2],
    ['too_large', 413, 2],
    ['method_not_allowed', 405, 2],
    ['usage', undefined, 2],
    ['no_token', undefined, 4],
    ['unreachable', undefined, 6],
    ['failed', undefined, 1],
    // a code this CLI does not know: the status decides
    ['teapot', 404, 3],
    ['teapot', 403, 4],
    ['teapot', 409, 5],
    ['teapot', 503, 6],
    ['teapot', 500, 7],
    ['teapot', 422, 2],
    ['teapot', undefined, 1],
  ])('%s (HTTP %s) → exit %i', (code, status, exit) => expect(exitCodeFor(code, status)).toBe(exit));

  it('gives every kind its own exit code', () => {
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });
});
