/**
 * Time-based one-time passwords: HOTP (RFC 4226) over a time step counter (RFC 6238), with the
 * secret written in base32 (RFC 4648) as authenticator apps read it from an `otpauth://` URI
 * (the Key Uri Format that Google Authenticator defined and other apps follow). Written on
 * node:crypto's HMAC rather than a library: the algorithm is a few lines, and the RFCs' own test
 * vectors (totp.test.ts) pin it down. Pure functions: the clock is a parameter.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  algorithm: TotpAlgorithm;
  digits: number;
  stepSeconds: number;
}

/** What authenticator apps assume when the URI says nothing else. */
export const TOTP_DEFAULTS: TotpOptions = { algorithm: 'sha1', digits: 6, stepSeconds: 30 };

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32, ignoring case, spaces and padding (people type secrets in groups). */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`"${char}" is not a base32 character`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 section 5.3: HMAC of the 8-byte counter, dynamic truncation, modulo 10^digits. */
export function hotp(secret: Uint8Array, counter: number, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 section 4: the counter is whole steps since the Unix epoch. */
export function timeStep(nowMs: number, stepSeconds = TOTP_DEFAULTS.stepSeconds): number {
  return Math.floor(nowMs / 1000 / stepSeconds);
}

export function totp(secret: Uint8Array, nowMs: number, options: TotpOptions = TOTP_DEFAULTS): string {
  return hotp(secret, timeStep(nowMs, options.stepSeconds), options.digits, options.algorithm);
}

/**
 * The time step a code matches, looking `drift` steps either side of now (RFC 6238 section 5.2
 * recommends at most one, for clocks and typing), or undefined. Comparison is constant-time.
 */
export function matchingStep(secret: Uint8Array, code: string, nowMs: number, drift = 1, options: TotpOptions = TOTP_DEFAULTS): number | undefined {
  const given = Buffer.from(code.replace(/\s/g, ''));
  const now = timeStep(nowMs, options.stepSeconds);
  for (let step = now - drift; step <= now + drift; step++) {
    const expected = Buffer.from(hotp(secret, step, options.digits, options.algorithm));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return step;
  }
  return undefined;
}

/** A new 20-byte secret (RFC 4226 section 4 asks for 160 bits), in base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The `otpauth://totp/…` URI an authenticator app reads (from a QR code or pasted). */
export function otpauthUri(secret: string, account: string, issuer = 'DevFlow'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${query.toString()}`;
}
