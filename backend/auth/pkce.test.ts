import { describe, expect, it } from 'vitest';
import { challengeMatches, parseChallengeMethod } from './pkce.js';

describe('PKCE', () => {
  // RFC 7636, appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
  const cases: { method: 's256' | 'plain'; challenge: string; verifier: string; ok: boolean }[] = [
    { method: 's256', challenge, verifier, ok: true },
    { method: 's256', challenge, verifier: verifier + 'x', ok: false },
    { method: 'plain', challenge: verifier, verifier, ok: true },
    { method: 'plain', challenge, verifier, ok: false },
  ];
  for (const c of cases) it(`${c.method} ${c.ok}`, () => expect(challengeMatches(c.method, c.challenge, c.verifier)).toBe(c.ok));

  it('reads the method in any case, and nothing else', () => {
    expect(parseChallengeMethod('S256')).toBe('s256');
    expect(parseChallengeMethod('plain')).toBe('plain');
    expect(parseChallengeMethod('md5')).toBeUndefined();
    expect(parseChallengeMethod(undefined)).toBeUndefined();
  });
});
