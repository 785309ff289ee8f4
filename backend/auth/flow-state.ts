/**
 * auth.flow_state: a PKCE flow between its start (a mail sent, an OAuth redirect) and the code
 * exchange (`grant_type=pkce`). The auth code is what the redirect carries.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../core/store/database.js';
import { AuthApiError, authErrors } from './errors.js';
import { challengeMatches, FLOW_STATE_TTL_S, parseChallengeMethod, type ChallengeMethod } from './pkce.js';

export interface PkceParams {
  challenge: string;
  method: ChallengeMethod;
}

/** The PKCE parameters of a request body or query, when it started a PKCE flow. */
export function pkceParams(challenge: unknown, method: unknown): PkceParams | undefined {
  if (typeof challenge !== 'string' || challenge === '') return undefined;
  const parsed = parseChallengeMethod(method);
  if (!parsed) throw new AuthApiError(400, 'validation_failed', 'Invalid code_challenge_method, only "s256" and "plain" are supported');
  return { challenge, method: parsed };
}

export async function createFlowState(sql: Sql, pkce: PkceParams, fields: { userId: string | null; providerType: string; method: string }): Promise<string> {
  const id = randomUUID();
  await sql`INSERT INTO auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
      created_at, updated_at, authentication_method)
    VALUES (${id}, ${fields.userId}, ${randomUUID()}, ${pkce.method}, ${pkce.challenge}, ${fields.providerType}, now(), now(), ${fields.method})`;
  return id;
}

/** The newest flow of a user for one method: the one a PKCE mail link belongs to. */
export async function issueAuthCodeForUser(sql: Sql, userId: string, method: string): Promise<string | undefined> {
  const [row] = await sql<{ auth_code: string }[]>`
    UPDATE auth.flow_state SET auth_code_issued_at = now(), updated_at = now()
    WHERE id = (SELECT id FROM auth.flow_state WHERE user_id = ${userId} AND authentication_method = ${method}
      ORDER BY created_at DESC LIMIT 1)
    RETURNING auth_code`;
  return row?.auth_code;
}

export async function issueAuthCodeForFlow(sql: Sql, flowId: string, userId: string): Promise<string | undefined> {
  const [row] = await sql<{ auth_code: string }[]>`
    UPDATE auth.flow_state SET user_id = ${userId}, auth_code_issued_at = now(), updated_at = now()
    WHERE id = ${flowId} RETURNING auth_code`;
  return row?.auth_code;
}

export interface ExchangedFlow {
  userId: string;
  method: string;
}

/** Trades an auth code and its verifier for the flow's user; the flow is used up. */
export async function exchangeAuthCode(sql: Sql, authCode: string, verifier: string): Promise<ExchangedFlow> {
  const [flow] = await sql<{ id: string; user_id: string | null; code_challenge_method: 's256' | 'plain'; code_challenge: string;
    authentication_method: string; issued: Date | null }[]>`
    SELECT id, user_id, code_challenge_method, code_challenge, authentication_method, auth_code_issued_at AS issued
    FROM auth.flow_state WHERE auth_code = ${authCode} FOR UPDATE`;
  if (!flow || !flow.user_id) throw authErrors.flowStateNotFound();
  if (!flow.issued || Date.now() - flow.issued.getTime() > FLOW_STATE_TTL_S * 1000) throw authErrors.flowStateExpired();
  if (!challengeMatches(flow.code_challenge_method, flow.code_challenge, verifier)) throw authErrors.badCodeVerifier();
  await sql`DELETE FROM auth.flow_state WHERE id = ${flow.id}`;
  return { userId: flow.user_id, method: flow.authentication_method };
}
