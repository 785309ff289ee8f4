/**
 * A stand-in for the backend's gateway, for storage's tests and bench only: one project, served
 * at `<url>/storage/v1`, the caller taken from `Authorization: Bearer` or `apikey` (HS256 against
 * the project's JWT secret, role from the `role` claim), keyless only where Supabase allows it.
 * The real gateway (backend/, issue 16) replaces this in DevFlow.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, SignJWT } from 'jose';
import type { BackendProject, BackendRole, JwtClaims, RequestContext } from '../contract.js';
import { createStorageService, isKeylessStorageRequest, type StorageOptions } from './index.js';

const ROLES: readonly BackendRole[] = ['anon', 'authenticated', 'service_role'];
const PREFIX = '/storage/v1';

export interface StorageTestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function callerOf(project: BackendProject, token: string | undefined): Promise<RequestContext | string> {
  if (!token) return { project, role: 'anon', claims: { role: 'anon' }, token: '' };
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(project.keys.jwtSecret), { algorithms: ['HS256'] });
    const role = ROLES.find((r) => r === payload.role);
    if (!role) return 'Invalid role';
    return { project, role, claims: payload as JwtClaims, token };
  } catch (err) {
    return (err as Error).message;
  }
}

export async function startStorageTestServer(project: BackendProject, options: StorageOptions): Promise<StorageTestServer> {
  const service = createStorageService(options);
  const server = createServer(async (req, res) => {
    const raw = req.url ?? '/';
    if (!raw.startsWith(`${PREFIX}/`)) {
      res.writeHead(404).end();
      return;
    }
    const path = raw.slice(PREFIX.length);
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apikey = req.headers.apikey;
    const token = bearer ?? (typeof apikey === 'string' ? apikey : undefined);
    if (!token && !isKeylessStorageRequest(req.method ?? 'GET', path.split('?')[0] ?? '')) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'No API key found in request' }));
      return;
    }
    const ctx = await callerOf(project, token);
    if (typeof ctx === 'string') {
      res.writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ statusCode: '400', code: 'InvalidJWT', error: 'InvalidJWT', message: ctx }));
      return;
    }
    await service.handle(req, res, ctx, path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An access token as Supabase Auth issues one for a signed-in user. */
export async function signUserToken(project: BackendProject, sub: string, expiresInSeconds = 3600): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: 'authenticated', aud: 'authenticated', sub, email: `${sub.slice(0, 8)}@example.test` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresInSeconds)
    .sign(new TextEncoder().encode(project.keys.jwtSecret));
}
