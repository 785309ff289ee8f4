/**
 * A stand-in for a Neo4j server's HTTP API, for the neo4j add-on's tests: no Neo4j server can be
 * installed or pulled on these machines (MACHINE.md). It answers what the add-on sends, as Neo4j 5
 * does: `POST /db/{database}/tx/commit` with basic auth (401 and Neo.ClientError.Security.Unauthorized
 * for a wrong password), `RETURN 1`, and `CREATE DATABASE`/`DROP DATABASE` in `system` — kept
 * in a set on an "enterprise" stand-in, refused with Neo.ClientError.Statement.UnsupportedAdministrationCommand
 * on a "community" one. Anything else is a syntax error, so a test notices an unexpected statement.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Neo4jStandIn {
  url: string;
  databases: Set<string>;
  statements: string[];
  close(): Promise<void>;
}

type NeoError = { code: string; message: string };

export async function startNeo4jStandIn(options: { user: string; password: string; edition: 'enterprise' | 'community' }): Promise<Neo4jStandIn> {
  const databases = new Set(['neo4j', 'system']);
  const statements: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  const run = (database: string, statement: string): NeoError | undefined => {
    statements.push(statement);
    if (!databases.has(database)) return { code: 'Neo.ClientError.Database.DatabaseNotFound', message: `Database does not exist: ${database}` };
    if (statement === 'RETURN 1') return undefined;
    const admin = /^(CREATE|DROP) DATABASE `([a-z0-9.-]+)` IF (NOT )?EXISTS( WAIT)?$/.exec(statement);
    if (!admin) return { code: 'Neo.ClientError.Statement.SyntaxError', message: `the stand-in does not know: ${statement}` };
    if (database !== 'system') return { code: 'Neo.ClientError.Statement.NotSystemDatabaseError', message: 'run administration commands in system' };
    if (options.edition === 'community') return { code: 'Neo.ClientError.Statement.UnsupportedAdministrationCommand', message: 'Unsupported administration command' };
    if (admin[1] === 'CREATE') databases.add(admin[2]!);
    else databases.delete(admin[2]!);
    return undefined;
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const route = /^\/db\/([^/]+)\/tx\/commit$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !route) return send(404, { errors: [] });
      if (req.headers.authorization !== expected) {
        return send(401, { errors: [{ code: 'Neo.ClientError.Security.Unauthorized', message: 'The client is unauthorized due to authentication failure.' }] });
      }
      const { statements: sent } = JSON.parse(body) as { statements: Array<{ statement: string }> };
      const errors = sent.map((s) => run(decodeURIComponent(route[1]!), s.statement)).filter((e): e is NeoError => e !== undefined);
      send(200, { results: errors.length ? [] : sent.map(() => ({ columns: ['1'], data: [{ row: [1], meta: [null] }] })), errors });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    databases,
    statements,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
