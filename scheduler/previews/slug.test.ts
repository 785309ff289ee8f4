import { describe, expect, it } from 'vitest';
import { branchSlug, pullRequestSlug } from './slug.js';

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('branchSlug', () => {
  it.each([
    ['login', 'login'],
    ['fix-123', 'fix-123'],
  ])('keeps a branch that already is a DNS label: %s', (branch, slug) => {
    expect(branchSlug(branch)).toBe(slug);
  });

  it.each([
    ['feature/login', /^feature-login-[0-9a-f]{6}$/],
    ['Feature/Login', /^feature-login-[0-9a-f]{6}$/],
    ['café/crème', /^cafe-creme-[0-9a-f]{6}$/],
    ['日本語', /^b-[0-9a-f]{6}$/],
    ['123-start-with-digit', /^b-123-start-with-digit-[0-9a-f]{6}$/],
    ['--weird--', /^weird-[0-9a-f]{6}$/],
    ['pr-12', /^pr-12-[0-9a-f]{6}$/],
    ['a'.repeat(200), /^a{56}-[0-9a-f]{6}$/],
  ])('turns %j into a valid, marked slug', (branch, pattern) => {
    const slug = branchSlug(branch);
    expect(slug).toMatch(pattern);
    expect(slug).toMatch(DNS_LABEL);
    expect(slug.length).toBeLessThanOrEqual(63);
  });

  it('is stable', () => {
    expect(branchSlug('feature/login')).toBe(branchSlug('feature/login'));
  });

  it.each([
    ['feature/login', 'feature-login'],
    ['Feature/Login', 'feature/login'],
    ['a/b', 'a-b'],
    ['x'.repeat(200), `${'x'.repeat(199)}y`],
    ['café', 'cafe'],
  ])('never gives %j and %j the same slug', (one, two) => {
    expect(branchSlug(one)).not.toBe(branchSlug(two));
  });

  it('never collides with pull request slugs', () => {
    expect(branchSlug('pr-7')).not.toBe(pullRequestSlug(7));
  });
});
