import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchingStep, otpauthUri, totp, type TotpAlgorithm } from './totp.js';

// RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the hash's size.
const seed = (bytes: number) => Buffer.from('1234567890'.repeat(7).slice(0, bytes));
const SEEDS: Record<TotpAlgorithm, Buffer> = { sha1: seed(20), sha256: seed(32), sha512: seed(64) };

describe('TOTP (RFC 6238 appendix B)', () => {
  it.each([
    [59, 'sha1', '94287082'], [59, 'sha256', '46119246'], [59, 'sha512', '90693936'],
    [1111111109, 'sha1', '07081804'], [1111111109, 'sha256', '68084774'], [1111111109, 'sha512', '25091201'],
    [1111111111, 'sha1', '14050471'], [1111111111, 'sha256', '67062674'], [1111111111, 'sha512', '99943326'],
    [1234567890, 'sha1', '89005924'], [1234567890, 'sha256', '91819424'], [1234567890, 'sha512', '93441116'],
    [2000000000, 'sha1', '69279037'], [2000000000, 'sha256', '90698825'], [2000000000, 'sha512', '38618901'],
    [20000000000, 'sha1', '65353130'], [20000000000, 'sha256', '77737706'], [20000000000, 'sha512', '47863826'],
  ] as const)('at %i s with %s gives %s', (seconds, algorithm, code) => {
    expect(totp(SEEDS[algorithm], seconds * 1000, { algorithm, digits: 8, stepSeconds: 30 })).toBe(code);
  });
});

describe('HOTP (RFC 4226 appendix D)', () => {
  it.each([
    [0, '755224'], [1, '287082'], [2, '359152'], [3, '969429'], [4, '338314'],
    [5, '254676'], [6, '287922'], [7, '162583'], [8, '399871'], [9, '520489'],
  ])('counter %i gives %s', (counter, code) => {
    expect(hotp(SEEDS.sha1, counter)).toBe(code);
  });
});

describe('base32 (RFC 4648 section 10)', () => {
  it.each([
    ['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI'],
  ])('%j ↔ %s', (text, encoded) => {
    expect(base32Encode(Buffer.from(text))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(text);
  });

  it('reads secrets typed in lower case, in groups, with padding', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => base32Decode('MZ1W')).toThrow('"1" is not a base32 character');
  });
});

describe('matching a typed code', () => {
  const secret = SEEDS.sha1;
  const now = 1_111_111_111_000;
  it.each([
    ['the current step', 0, 37037037],
    ['one step behind (a slow typist)', -1, 37037036],
    ['one step ahead (a fast clock)', 1, 37037038],
  ])('accepts %s', (_name, offset, step) => {
    expect(matchingStep(secret, totp(secret, now + offset * 30_000), now)).toBe(step);
  });

  it.each([
    ['two steps behind', totp(secret, now - 60_000)],
    ['a wrong code', '000000'],
    ['too short', '12345'],
    ['empty', ''],
  ])('refuses %s', (_name, code) => {
    expect(matchingStep(secret, code, now)).toBeUndefined();
  });

  it('ignores spaces people type in codes', () => {
    const code = totp(secret, now);
    expect(matchingStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(37037037);
  });
});

describe('otpauth URI', () => {
  it('names the issuer and account, and carries the secret and parameters', () => {
    expect(otpauthUri('MZXW6YTBOI', 'ada@example.com')).toBe(
      'otpauth://totp/DevFlow:ada%40example.com?secret=MZXW6YTBOI&issuer=DevFlow&algorithm=SHA1&digits=6&period=30',
    );
  });
});
