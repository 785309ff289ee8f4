import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideCaller, readCredentials, type CallerDecision } from './caller.js';
import type { ProjectKeys } from './contract.js';
import { newProjectKeys } from './keys.js';
import { newSigningKey } from './signing-key.js';
import { TokenVerifier } from './tokens.js';
import { importJWK } from 'jose';

const USER = '11111111-1111-1111-1111-111111111111';
let a: ProjectKeys;
let b: ProjectKeys;
let verifier: TokenVerifier;
const tokens: Record<string, string> = {};

async function hs256(secret: string, claims: Record<string, unknown>, expiresIn: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  a = { ...(await newProjectKeys('a')), signingKey: newSigningKey() };
  b = { ...(await newProjectKeys('b')), signingKey: newSigningKey() };
  verifier = new TokenVerifier(a);
  const user = { role: 'authenticated', sub: USER, aud: 'authenticated' };
  tokens.user = await hs256(a.jwtSecret, user, 3600);
  tokens.expired = await hs256(a.jwtSecret, user, -10);
  tokens.otherProject = await hs256(b.jwtSecret, user, 3600);
  tokens.superuser = await hs256(a.jwtSecret, { role: 'postgres' }, 3600);
  tokens.tampered = `${tokens.user.split('.')[0]}.${Buffer.from(JSON.stringify({ ...user, role: 'service_role' })).toString('base64url')}.${tokens.user.split('.')[2]}`;
  const es = async (k: ProjectKeys) => new SignJWT(user).setProtectedHeader({ alg: 'ES256', kid: k.signingKey!.kid })
    .setExpirationTime('1h').sign(await importJWK(k.signingKey!.privateJwk as never, 'ES256'));
  tokens.es256 = await es(a);
  tokens.es256OtherProject = await es(b);
});

const decide = (headers: Record<string, string>, prefix = 'rest/v1', path = '/todos', keylessAnon = false) =>
  decideCaller(readCredentials(headers, path), { prefix, path, keylessAnon }, (t) => verifier.check(t));
const role = (d: CallerDecision) => (d.ok ? d.role : d.status);

describe('decideCaller', () => {
  it('takes the role from the anon and service-role keys, and a user token over the key', async () => {
    expect(role(await decide({ apikey: a.anonKey }))).toBe('anon');
    expect(role(await decide({ apikey: a.serviceRoleKey }))).toBe('service_role');
    const user = await decide({ apikey: a.anonKey, authorization: `Bearer ${tokens.user}` });
    expect(user).toMatchObject({ ok: true, role: 'authenticated', token: tokens.user, claims: { sub: USER } });
    expect(role(await decide({ authorization: `Bearer ${a.anonKey}` }))).toBe('anon');
    expect(role(await decide({ apikey: a.anonKey, authorization: `Bearer ${tokens.es256}` }))).toBe('authenticated');
  });

  it('without a key: 401 with Kong\'s body, unless the local-development switch serves anon', async () => {
    expect(await decide({})).toEqual({ ok: false, status: 401, body: { message: 'No API key found in request', hint: expect.any(String) } });
    expect(await decide({}, 'rest/v1', '/todos', true)).toEqual({ ok: true, role: 'anon', claims: { role: 'anon' }, token: '' });
  });

  const refusals: Array<[string, () => Record<string, string>, string, string, number, Record<string, unknown>]> = [
    ['another project\'s anon key', () => ({ apikey: b.anonKey }), 'rest/v1', '/todos', 401, { message: 'Invalid API key' }],
    ['another project\'s service key as bearer', () => ({ authorization: `Bearer ${b.serviceRoleKey}` }), 'rest/v1', '/t', 401, { message: 'Invalid API key' }],
    ['a garbage key', () => ({ apikey: 'not-a-jwt' }), 'auth/v1', '/user', 401, { message: 'Invalid API key' }],
    ['an expired user token', () => ({ apikey: a.anonKey, authorization: `Bearer ${tokens.expired}` }), 'rest/v1', '/todos', 401, { code: 'PGRST303', message: 'JWT expired' }],
    ['a tampered user token', () => ({ apikey: a.anonKey, authorization: `Bearer ${tokens.tampered}` }), 'rest/v1', '/todos', 401, { code: 'PGRST301' }],
    ['another project\'s user token', () => ({ apikey: a.anonKey, authorization: `Bearer ${tokens.otherProject}` }), 'rest/v1', '/todos', 401, { code: 'PGRST301' }],
    ['another project\'s ES256 token', () => ({ apikey: a.anonKey, authorization: `Bearer ${tokens.es256OtherProject}` }), 'rest/v1', '/todos', 401, { code: 'PGRST301' }],
    ['a token asking for a superuser role', () => ({ apikey: a.anonKey, authorization: `Bearer ${tokens.superuser}` }), 'rest/v1', '/todos', 401, { code: 'PGRST301' }],
  ];
  it.each(refusals)('refuses %s', async (_name, headers, prefix, path, status, body) => {
    const decision = await decide(headers(), prefix, path);
    expect(decision).toMatchObject({ ok: false, status, body });
  });

  it('hands a bad bearer on to Auth with the key\'s role (Auth answers bad_jwt where it needs a user)', async () => {
    const decision = await decide({ apikey: a.anonKey, authorization: `Bearer ${tokens.expired}` }, 'auth/v1', '/user');
    expect(decision).toMatchObject({ ok: true, role: 'anon', token: tokens.expired, claims: { role: 'anon' } });
  });
});
