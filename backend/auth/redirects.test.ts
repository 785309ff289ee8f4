import { describe, expect, it } from 'vitest';
import { allowedRedirect, withParams } from './redirects.js';

describe('allowedRedirect', () => {
  const site = 'https://shop.example.com';
  const project = 'https://shop.backend.example.com';
  const cases: { requested?: string | null; expected: string }[] = [
    { requested: undefined, expected: site },
    { requested: 'https://shop.example.com/welcome', expected: 'https://shop.example.com/welcome' },
    { requested: 'https://shop.backend.example.com/x', expected: 'https://shop.backend.example.com/x' },
    { requested: 'http://localhost:3000/cb', expected: 'http://localhost:3000/cb' },
    { requested: 'http://shop.localhost/cb', expected: 'http://shop.localhost/cb' },
    { requested: 'https://evil.example.net/steal', expected: site },
    { requested: 'https://shop.example.com.evil.net/', expected: site },
    { requested: 'javascript:alert(1)', expected: site },
    { requested: 'not a url', expected: site },
  ];
  for (const c of cases) it(`${c.requested} -> ${c.expected}`, () => expect(allowedRedirect(c.requested, site, project)).toBe(c.expected));
});

describe('withParams', () => {
  it('puts tokens in the fragment and codes in the query', () => {
    expect(withParams('http://a/cb?x=1', { access_token: 't', type: 'signup' }, 'fragment')).toBe('http://a/cb?x=1#access_token=t&type=signup');
    expect(withParams('http://a/cb?x=1', { code: 'c' }, 'query')).toBe('http://a/cb?x=1&code=c');
  });
});
