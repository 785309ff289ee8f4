import { describe, expect, it } from 'vitest';
import { parseDomainName } from './names.js';

describe('parseDomainName', () => {
  it.each([
    ['example.com', 'example.com'],
    ['WWW.Example.COM.', 'www.example.com'],
    ['a-b.c1.example.org', 'a-b.c1.example.org'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseDomainName(input)).toBe(expected);
  });

  it.each([
    ['', /required/],
    [42, /required/],
    ['localhost', /full name with a dot/],
    ['127.0.0.1', /IP addresses/],
    ['[::1]', /IP addresses/],
    ['::1', /IP addresses/],
    ['exa mple.com', /not a DNS label/],
    ['-bad.com', /not a DNS label/],
    ['bad-.com', /not a DNS label/],
    ['a..b.com', /not a DNS label/],
    ['under_score.com', /not a DNS label/],
    ['ünicode.com', /not a DNS label/],
    [`${'a'.repeat(64)}.com`, /not a DNS label/],
    [`${'a.'.repeat(127)}com`, /at most 253/],
    ['*.example.com', /wildcards are not allowed/],
    ['a.*.example.com', /not a DNS label/],
    ['example.123', /last label/],
    ['evil.com/../x', /not a DNS label/],
    ['evil.com\r\nX: y', /not a DNS label/],
  ])('rejects %j', (input, message) => {
    expect(() => parseDomainName(input)).toThrow(message);
  });

  it('accepts a wildcard when the caller allows it', () => {
    expect(parseDomainName('*.Example.com', { allowWildcard: true })).toBe('*.example.com');
    expect(() => parseDomainName('*.com', { allowWildcard: true })).toThrow(/full name/);
  });
});
