/**
 * The `/rest/v1` service (PostgREST's API, docs.postgrest.org "API" section): routes a request
 * to a table or a function (or the root to its OpenAPI description), reads headers and body, plans against the project's schema cache
 * (reloaded once if the request names something it lacks), runs the plan in the request's
 * transaction and writes the answer or PostgREST's error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendService, RequestContext } from '../contract.js';
import { RestError } from './errors.js';
import { inTransaction, type StatementResult } from './execute.js';
import { chooseSchema, parseAccept, parsePrefer } from './headers.js';
import { planRpcRequest } from './handle-rpc.js';
import { planTableRequest } from './handle-table.js';
import { readBody, send, sendError } from './http-io.js';
import { planOpenApi } from './openapi.js';
import { parseQuery } from './parse-query.js';
import type { Answer, Planned } from './planned.js';
import type { SchemaCache } from './schema-cache.js';
import { SchemaStore } from './schema-store.js';

export interface RestOptions {
  /** The schemas the API exposes; the first is the default (PostgREST's db-schemas). */
  schemas?: string[];
  /** Request bodies above this size get 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** The most rows one response carries (Supabase's default: 1000); null: no cap. */
  maxRows?: number | null;
}


/** Errors meaning "the schema cache may be stale": worth one reload before answering. */
const CACHE_MISSES = new Set(['PGRST200', 'PGRST202', 'PGRST204', 'PGRST205', '42703']);

export function createRestService(options: RestOptions = {}): BackendService {
  const schemas = options.schemas ?? ['public'];
  const store = new SchemaStore(schemas);
  const limits = { maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024, maxRows: options.maxRows === undefined ? 1000 : options.maxRows };
  return {
    prefix: 'rest/v1',
    async handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, path: string): Promise<void> {
      try {
        const planFor = await requestPlanner(req, path, schemas, limits);
        const sql = ctx.project.sql;
        let planned: Planned;
        try {
          planned = planFor(await store.get(sql));
        } catch (err) {
          if (!(err instanceof RestError) || !CACHE_MISSES.has(err.code)) throw err;
          store.invalidate(sql);
          planned = planFor(await store.get(sql));
        }
        const result = await inTransaction(ctx, planned.readOnly, (tx) => planned.run(tx), (r) => planned.keep(r));
        const answer = planned.answer(result);
        send(res, answer.status, answer.headers, req.method === 'HEAD' ? undefined : answer.body);
      } catch (err) {
        sendError(req, res, err, ctx.role);
      }
    },
  };
}

/** Everything that does not need the schema: the route, headers, body, query string. */
async function requestPlanner(req: IncomingMessage, path: string, schemas: string[], limits: { maxBodyBytes: number; maxRows: number | null }): Promise<(cache: SchemaCache) => Planned> {
  const url = new URL(path, 'http://rest.invalid');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const read = req.method === 'GET' || req.method === 'HEAD';
  const schema = chooseSchema((read ? req.headers['accept-profile'] : req.headers['content-profile']) as string | undefined, schemas);
  const output = parseAccept(req.headers.accept);
  const prefs = parsePrefer(req.headers.prefer);
  // The root describes the API (openapi.ts), for the schema Accept-Profile picks.
  if (segments.length === 0 && read) return (cache) => planOpenApi(cache, schema, req.headers.host);
  const isRpc = segments.length === 2 && segments[0] === 'rpc';
  const name = segments[segments.length - 1];
  if ((!isRpc && segments.length !== 1) || name === undefined) throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');
  if (!read) checkContentType(req);
  const body = read || req.method === 'DELETE' ? '' : await readBody(req, limits.maxBodyBytes);
  if (isRpc) {
    const r = { req, schema, name, search: url.searchParams, output, prefs, body, maxRows: limits.maxRows };
    return (cache) => planRpcRequest(cache, r);
  }
  const r = { req, schema, name, query: parseQuery(url.searchParams), output, prefs, body, maxRows: limits.maxRows };
  return (cache) => planTableRequest(cache, r);
}

function checkContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== '' && req.method !== 'DELETE') {
    throw new RestError(415, 'PGRST107', `The request's Content-Type is not supported: ${type}`, null, 'Send application/json');
  }
}
