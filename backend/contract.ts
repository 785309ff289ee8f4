/**
 * The app backend's inner contract (DESIGN.md "backend/"): what the gateway hands to each
 * Supabase-compatible service (rest/, auth/, and later storage/, realtime/, functions/).
 *
 * The gateway resolves a request's host or path to one project, checks its key or token, and
 * calls the service with a RequestContext. Services never parse keys themselves and never open
 * their own connections: every statement runs on the project's pool, and every statement made
 * on a user's behalf runs through inRequestTransaction (session.ts) in the role the token names.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { JWK } from 'jose';
import type { Sql } from '../core/store/database.js';

/** What checking a token says (tokens.ts): the role and claims it carries, or why it is refused. */
export type TokenCheck =
  | { ok: true; role: BackendRole; claims: JwtClaims }
  | { ok: false; reason: 'expired' | 'invalid'; message: string };

/** The database roles a request can run as; they exist once per cluster (provision-sql.ts). */
export type BackendRole = 'anon' | 'authenticated' | 'service_role';

/** A token's claims as Supabase Auth issues them; `role` picks the database role. */
export interface JwtClaims {
  role: string;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  exp?: number;
  iat?: number;
  email?: string;
  phone?: string;
  session_id?: string;
  is_anonymous?: boolean;
  aal?: string;
  amr?: { method: string; timestamp: number }[];
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  [claim: string]: unknown;
}

/** A project's keys. The anon and service-role keys are HS256 JWTs signed with jwtSecret. */
export interface ProjectKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /**
   * The project's asymmetric key (ES256), published at /auth/v1/.well-known/jwks.json. The
   * gateway accepts tokens signed with it (header `kid`) as well as HS256 ones; a service may
   * sign access tokens with it. Absent in projects made before it existed and in some tests.
   */
  signingKey?: SigningKey;
}

/** An ES256 key pair as JWKs; `kid` names it in token headers and the JWKS. */
export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Auth settings a project may change (dashboard, API); defaults in the backend's settings. */
export interface AuthSettings {
  /** Sign-ups must confirm their email before they can sign in. */
  mailerAutoconfirm: boolean;
  allowAnonymousSignIns: boolean;
  disableSignup: boolean;
  /** Where links in emails lead (the app's URL unless set). */
  siteUrl: string;
  /** Access-token lifetime in seconds (Supabase's default: 3600). */
  jwtExpiry: number;
}

export type ExternalProviderName = 'github' | 'google';

/** An OAuth provider the project enabled (oauth-providers.ts), its secret opened, for Auth. */
export interface ExternalProvider {
  provider: ExternalProviderName;
  clientId: string;
  secret: string;
  /** GitHub: a GitHub Enterprise Server's base URL instead of github.com. */
  url?: string;
}

export interface BackendProject {
  /** The project's identity: the app's name (a preview is its own hidden app, with its own keys). */
  ref: string;
  /**
   * A pool on the project's own database, logged in as the database's owner role, which is a
   * member of anon, authenticated and service_role. Statements for users go through
   * inRequestTransaction; the auth service writes the auth schema as the owner.
   */
  sql: Sql;
  keys: ProjectKeys;
  auth: AuthSettings;
  /** The URL clients use (SUPABASE_URL), without a trailing slash. */
  url: string;
  /** The pool's own URL (the owner role on the project's database), which functions get as SUPABASE_DB_URL. */
  dbUrl?: string;
  /** The OAuth providers the project enabled (`devflow backend:set … external_github_…`); none when absent. */
  externalProviders?: ExternalProvider[];
}

export interface RequestContext {
  project: BackendProject;
  role: BackendRole;
  claims: JwtClaims;
  /** The token as sent (Bearer, else the apikey header). */
  token: string;
  /**
   * The client's address as the gateway decided it (client-address.ts: X-Forwarded-For only from
   * DevFlow's router or a trusted proxy); services fall back to the socket's peer without it.
   */
  clientAddress?: string;
}

/**
 * One service mounted under a prefix ("rest/v1", "auth/v1"). `path` is the part after the
 * prefix, beginning with "/", with the query string kept (e.g. "/todos?select=id").
 */
export interface BackendService {
  readonly prefix: string;
  /**
   * Requests a browser makes with no key, which the gateway serves as `anon` (a link in a
   * mail, an OAuth redirect, a public object, a signed URL), as Supabase's gateway does.
   * `path` as in handle(); the service still checks whatever the request carries.
   */
  keyless?(method: string, path: string): boolean;
  /**
   * Requests the service admits whatever credentials they carry, when the gateway would refuse
   * them (a function deployed with `verify_jwt = false` checks its callers itself, as on
   * Supabase). They are served as `anon`, with the headers as sent.
   */
  unchecked?(project: BackendProject, method: string, path: string): Promise<boolean>;
  handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, path: string): Promise<void>;
  /**
   * A WebSocket upgrade under the prefix (realtime/), after the gateway checked its key. The
   * service owns the socket from here: it completes the handshake or answers and closes it.
   */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext, path: string): void;
  /**
   * The project's backend was disabled (`devflow backend:disable`): let go now of what the
   * service holds for it (Realtime: its sockets and replication slot). Its data stays.
   */
  disableProject?(ref: string): Promise<void>;
}

/**
 * What a long-lived connection needs beyond one request's context: it outlives the request, so
 * it checks later tokens (a channel's access_token) with the project's keys as the gateway does,
 * and asks for the project again when it needs its pool (an idle project's pool is closed and
 * reopened by the registry; asking also marks the project as in use).
 */
export interface UpgradeContext extends RequestContext {
  checkToken(token: string): Promise<TokenCheck>;
  currentProject(): Promise<BackendProject | undefined>;
}
