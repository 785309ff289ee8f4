/**
 * The REST API in this process on an ephemeral port, over a test database, for tests of
 * routes that only read and write the store (logs, errors, alerts, metrics). The platform
 * operations those routes never call (deploys, releases, previews) are left out and throw if
 * reached, so a test that needs them fails loudly rather than passing on a stand-in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../../api/index.js';
import type { ApiDeps } from '../../api/deps.js';
import { createApiToken } from '../../core/store/api-tokens.js';
import type { Sql } from '../../core/store/database.js';

export interface InProcessApi {
  base: string;
  adminToken: string;
  readToken: string;
  close(): Promise<void>;
}

const absent = (what: string) => () => {
  throw new Error(`${what} is not part of the in-process test API`);
};

/** `extra`: the few platform parts a test does provide (e.g. `backend`, the app backend's operations). */
export async function startInProcessApi(sql: Sql, extra: Partial<ApiDeps> = {}): Promise<InProcessApi> {
  const deps = {
    sql,
    config: { domain: 'localhost', httpPort: 8080 },
    apps: { create: absent('apps.create'), destroy: absent('apps.destroy') },
    followDeployment: absent('followDeployment'),
    bus: { subscribe: absent('bus.subscribe'), publish: absent('bus.publish') },
    deploy: absent('deploy'),
    releases: new Proxy({}, { get: (_t, name) => absent(`releases.${String(name)}`) }),
    previews: { list: absent('previews.list'), remove: absent('previews.remove'), webhook: absent('previews.webhook') },
    ...extra,
  } as unknown as ApiDeps;
  const server = http.createServer(createApi(deps));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const admin = await createApiToken(sql, { name: 'test-admin', scope: 'admin', expiresInMs: null });
  const read = await createApiToken(sql, { name: 'test-read', scope: 'read', expiresInMs: null });
  return {
    base: `http://127.0.0.1:${port}`,
    adminToken: admin.secret,
    readToken: read.secret,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
