/**
 * Requests on `/rest/v1/rpc/<function>` (docs.postgrest.org, "Functions as RPC"): POST with a
 * JSON object of arguments, or GET/HEAD with the arguments as query parameters; the other query
 * parameters filter, order and page the results. STABLE and IMMUTABLE functions run read only
 * even on POST, as PostgREST runs them.
 */
import type { IncomingMessage } from 'node:http';
import { RestError } from './errors.js';
import { contentRange, contentType, type Preferences } from './headers.js';
import { parseQuery } from './parse-query.js';
import type { Output } from './plan-output.js';
import { chooseFunction, planRpc } from './plan-rpc.js';
import { tableKey, type SchemaCache } from './schema-cache.js';
import { runStatement } from './execute.js';
import { singularCheck, singularError, type Planned } from './planned.js';

export interface RpcRequest {
  req: IncomingMessage;
  schema: string;
  name: string;
  search: URLSearchParams;
  output: Output;
  prefs: Preferences;
  body: string;
  maxRows: number | null;
}

function argsOf(cache: SchemaCache, r: RpcRequest): Record<string, unknown> {
  if (r.req.method === 'GET' || r.req.method === 'HEAD') {
    const known = new Set((cache.functions.get(tableKey(r.schema, r.name)) ?? []).flatMap((f) => f.args.map((a) => a.name)));
    return Object.fromEntries([...r.search].filter(([key]) => known.has(key)));
  }
  if (r.req.method !== 'POST') throw new RestError(405, 'PGRST101', 'Only GET, HEAD or POST requests are allowed for calling functions');
  let json: unknown;
  try {
    json = JSON.parse(r.body.trim() === '' ? '{}' : r.body);
  } catch (err) {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json', err instanceof Error ? err.message : null);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new RestError(400, 'PGRST102', 'Empty or invalid json', 'The arguments of a function call must be a JSON object');
  }
  return json as Record<string, unknown>;
}

export function planRpcRequest(cache: SchemaCache, r: RpcRequest): Planned {
  const args = argsOf(cache, r);
  const argNames = Object.keys(args);
  const fn = chooseFunction(cache, r.schema, r.name, argNames);
  const query = parseQuery(r.search, new Set(r.req.method === 'POST' ? [] : argNames));
  const offset = query.offset.get('') ?? 0;
  const limits = [query.limit.get(''), r.maxRows ?? undefined].filter((n): n is number => n !== undefined);
  const limit = fn.returnsSet && limits.length > 0 ? Math.min(...limits) : undefined;
  // On GET the values are strings; json_to_record converts them by the argument types. On POST
  // the body is passed as sent, so big numbers keep every digit.
  const argsText = r.req.method === 'POST' && r.body.trim() !== '' ? r.body : JSON.stringify(args);
  const plan = planRpc(cache, { fn, args: argsText, argNames, query, output: r.output, limit, offset });
  const readOnly = r.req.method !== 'POST' || fn.volatility !== 'v';
  return {
    readOnly,
    run: (tx) => runStatement(tx, plan.text, plan.params),
    keep: (result) => !r.prefs.rollback && (!fn.returnsSet || singularCheck(r.output, result)),
    answer(result) {
      if (fn.returns === 'void') return { status: 204, headers: {} };
      if (fn.returnsSet && !singularCheck(r.output, result)) throw singularError(result);
      const headers: Record<string, string> = { 'content-type': contentType(r.output) };
      if (fn.returnsSet) headers['content-range'] = contentRange(offset, result.pageTotal, null);
      return { status: 200, headers, body: result.body ?? 'null' };
    },
  };
}
