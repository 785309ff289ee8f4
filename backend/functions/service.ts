/**
 * The /functions/v1 service (Supabase Edge Functions' invocation API, as functions-js calls it:
 * any method on `/functions/v1/<name>[/<path>]`). The gateway has resolved the project and
 * checked the caller's JWT, unless the function was deployed with `verify_jwt = false`
 * (`unchecked`). Each invocation runs in a warm worker of the project (worker-pool.ts), and
 * ends as one system line in the function's log and one tick of its counters.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getConfigVars } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import type { BackendService, RequestContext } from '../contract.js';
import { bundlePath } from './deploy.js';
import { envDigest, functionEnv } from './env.js';
import { failureAnswer, invokeWorker, type InvocationOutcome } from './invoke.js';
import type { WorkerIsolation } from './isolation.js';
import type { LogWriter } from './log-writer.js';
import { splitInvocationPath } from './names.js';
import { allowedEndpoints } from './network-policy.js';
import { countInvocation, findDeployed, type DeployedFunction } from './store.js';
import { WorkerLimitError, type WorkerKey, type WorkerPool } from './worker-pool.js';
import type { FunctionWorker } from './worker-process.js';

export interface FunctionLimits {
  /** Wall-clock time an invocation may take before its worker is killed. */
  timeLimitMs: number;
  /** The worker's V8 heap limit (--max-old-space-size). */
  memoryMb: number;
}

export interface FunctionsServiceDeps {
  sql: Sql;
  root: string;
  limits: FunctionLimits;
  pool: WorkerPool;
  isolation: WorkerIsolation;
  logs: LogWriter;
  /** The worker entry file (worker-script.ts), written on first use. */
  script: () => Promise<string>;
  log: (line: string) => void;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

const NOT_FOUND = { code: 'NOT_FOUND', message: 'Requested function was not found' };

export function functionsService(deps: FunctionsServiceDeps): BackendService {
  const systemLine = (fn: DeployedFunction, line: string, invocation: string | null = null) =>
    deps.logs.add({ appId: fn.appId, name: fn.name, version: fn.version, invocation, stream: 'system', line });

  const startWorker = async (ctx: RequestContext, fn: DeployedFunction): Promise<FunctionWorker> => {
    const env = functionEnv(ctx.project, await getConfigVars(deps.sql, fn.appId));
    const key: WorkerKey = { appId: fn.appId, project: ctx.project.ref, name: fn.name, version: fn.version, env: envDigest(env) };
    return deps.pool.acquire(key, async () => {
      const allowed = allowedEndpoints({ SUPABASE_URL: env.SUPABASE_URL, SUPABASE_DB_URL: env.SUPABASE_DB_URL });
      const files = { script: await deps.script(), bundlePath: bundlePath(deps.root, ctx.project.ref, fn.name, fn.version) };
      const prepared = await deps.isolation.prepare(files, allowed);
      return { ...prepared.files, user: prepared.user, allowed, name: fn.name, env, memoryMb: deps.limits.memoryMb };
    });
  };

  const invoke = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, fn: DeployedFunction, rest: string) => {
    let worker: FunctionWorker;
    try {
      worker = await startWorker(ctx, fn);
    } catch (err) {
      systemLine(fn, (err as Error).message);
      await countInvocation(deps.sql, fn, true);
      if (err instanceof WorkerLimitError) {
        res.setHeader('Retry-After', '1');
        return sendJson(res, 503, { code: 'WORKER_LIMIT', message: err.message });
      }
      return sendJson(res, 503, { code: 'BOOT_ERROR', message: `${(err as Error).message}; see the function's logs` });
    }
    const invocation = randomUUID();
    const started = performance.now();
    let outcome: InvocationOutcome;
    try {
      outcome = await invokeWorker(req, res, { worker, path: `/${fn.name}${rest}`, invocation, timeLimitMs: deps.limits.timeLimitMs });
    } finally {
      deps.pool.release(worker);
    }
    let status: number | 'caller gone' = 'caller gone';
    if (outcome.kind === 'answered') status = outcome.status;
    else if (outcome.kind !== 'caller-gone') {
      const answer = failureAnswer(outcome, fn.name);
      status = answer.status;
      systemLine(fn, answer.body.message, invocation);
      if (res.headersSent) res.destroy();
      else sendJson(res, answer.status, answer.body);
    }
    const ms = Math.round(performance.now() - started);
    systemLine(fn, `${req.method} /${fn.name}${rest.split('?')[0]} ${status} in ${ms} ms (worker ${worker.pid})`, invocation);
    await countInvocation(deps.sql, fn, typeof status === 'number' && status >= 500);
  };

  return {
    prefix: 'functions/v1',
    async unchecked(project, _method, path) {
      const split = splitInvocationPath(path);
      return split !== undefined && (await findDeployed(deps.sql, project.ref, split.name))?.verifyJwt === false;
    },
    async handle(req, res, ctx, path) {
      const split = splitInvocationPath(path);
      const fn = split && (await findDeployed(deps.sql, ctx.project.ref, split.name));
      if (!split || !fn) return sendJson(res, 404, NOT_FOUND);
      await invoke(req, res, ctx, fn, split.rest);
    },
  };
}
