import { describe, expect, it } from 'vitest';
import { corsHeaders, isPreflight, preflightHeaders } from './cors.js';

describe('CORS', () => {
  it('tells a preflight from a plain OPTIONS request', () => {
    expect(isPreflight('OPTIONS', { 'access-control-request-method': 'POST' })).toBe(true);
    expect(isPreflight('OPTIONS', {})).toBe(false);
    expect(isPreflight('GET', { 'access-control-request-method': 'POST' })).toBe(false);
  });

  it('echoes the origin and the requested headers, and exposes Content-Range', () => {
    const h = preflightHeaders('https://shop.example.com', 'apikey, authorization, x-client-info');
    expect(h['Access-Control-Allow-Origin']).toBe('https://shop.example.com');
    expect(h['Access-Control-Allow-Headers']).toBe('apikey, authorization, x-client-info');
    expect(h['Access-Control-Allow-Methods']).toContain('PATCH');
    expect(corsHeaders(undefined)['Access-Control-Allow-Origin']).toBe('*');
    expect(corsHeaders(undefined)['Access-Control-Expose-Headers']).toContain('Content-Range');
  });
});
