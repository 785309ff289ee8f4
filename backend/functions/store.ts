/**
 * The control-plane rows of functions (migration 023): which version of each function is live,
 * whether it asks the gateway to verify the caller's JWT, its invocation and error counters,
 * and the lines its workers logged (the newest LOG_LINES_KEPT per function are kept).
 */
import type { Sql } from '../../core/store/database.js';
import type { LogRecord } from './worker-process.js';

export interface DeployedFunction {
  appId: number;
  name: string;
  version: number;
  verifyJwt: boolean;
}

export interface FunctionView {
  name: string;
  version: number;
  verifyJwt: boolean;
  invocations: number;
  errors: number;
  deployedAt: string;
}

export interface FunctionLogLine {
  at: string;
  version: number;
  invocation: string | null;
  stream: LogRecord['stream'];
  line: string;
}

export interface StoredLogRecord extends LogRecord {
  appId: number;
  name: string;
  version: number;
}

/** Lines kept per function: enough to read recent invocations, bounded so a chatty one fills no disk. */
export const LOG_LINES_KEPT = 2000;
/** A longer line is cut: one huge console.log must not make a huge row. */
const LINE_MAX = 8192;

interface Row {
  app_id: number;
  name: string;
  version: number;
  verify_jwt: boolean;
  invocations: string;
  errors: string;
  deployed_at: Date;
}

/** The live version of `name` in the project (app) named `project`. */
export async function findDeployed(sql: Sql, project: string, name: string): Promise<DeployedFunction | undefined> {
  const [row] = await sql<Row[]>`
    SELECT f.* FROM backend_functions f JOIN apps a ON a.id = f.app_id WHERE a.name = ${project} AND f.name = ${name}`;
  return row && { appId: row.app_id, name: row.name, version: row.version, verifyJwt: row.verify_jwt };
}

/** The live version of a function and the digest of what it was deployed from (0 and null when none). */
export async function latestVersion(sql: Sql, appId: number, name: string): Promise<{ version: number; digest: string | null }> {
  const [row] = await sql<{ version: number; source_digest: string | null }[]>`
    SELECT version, source_digest FROM backend_functions WHERE app_id = ${appId} AND name = ${name}`;
  return { version: row?.version ?? 0, digest: row?.source_digest ?? null };
}

export async function markDeployed(sql: Sql, fn: DeployedFunction, digest: string): Promise<void> {
  await sql`
    INSERT INTO backend_functions (app_id, name, version, verify_jwt, source_digest)
    VALUES (${fn.appId}, ${fn.name}, ${fn.version}, ${fn.verifyJwt}, ${digest})
    ON CONFLICT (app_id, name) DO UPDATE SET version = EXCLUDED.version, verify_jwt = EXCLUDED.verify_jwt,
      source_digest = EXCLUDED.source_digest, deployed_at = now()`;
}

export async function countInvocation(sql: Sql, fn: DeployedFunction, failed: boolean): Promise<void> {
  await sql`
    UPDATE backend_functions SET invocations = invocations + 1, errors = errors + ${failed ? 1 : 0}
    WHERE app_id = ${fn.appId} AND name = ${fn.name}`;
}

export async function listFunctions(sql: Sql, appId: number): Promise<FunctionView[]> {
  const rows = await sql<Row[]>`SELECT * FROM backend_functions WHERE app_id = ${appId} ORDER BY name`;
  return rows.map((r) => ({
    name: r.name, version: r.version, verifyJwt: r.verify_jwt, invocations: Number(r.invocations), errors: Number(r.errors),
    deployedAt: r.deployed_at.toISOString(),
  }));
}

export async function appendLogs(sql: Sql, records: StoredLogRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((r) => ({
    app_id: r.appId, name: r.name, version: r.version, invocation: r.invocation, stream: r.stream, line: r.line.slice(0, LINE_MAX),
  }));
  await sql`INSERT INTO backend_function_logs ${sql(rows, 'app_id', 'name', 'version', 'invocation', 'stream', 'line')}`;
}

/** Drops all but the newest LOG_LINES_KEPT lines of one function. */
export async function pruneLogs(sql: Sql, appId: number, name: string): Promise<void> {
  await sql`
    DELETE FROM backend_function_logs WHERE app_id = ${appId} AND name = ${name} AND id < (
      SELECT id FROM backend_function_logs WHERE app_id = ${appId} AND name = ${name} ORDER BY id DESC OFFSET ${LOG_LINES_KEPT - 1} LIMIT 1)`;
}

/** The newest `limit` lines of a function, oldest first. */
export async function readLogs(sql: Sql, appId: number, name: string, limit: number): Promise<FunctionLogLine[]> {
  const rows = await sql<{ at: Date; version: number; invocation: string | null; stream: LogRecord['stream']; line: string }[]>`
    SELECT at, version, invocation, stream, line FROM (
      SELECT * FROM backend_function_logs WHERE app_id = ${appId} AND name = ${name} ORDER BY id DESC LIMIT ${limit}) newest
    ORDER BY id`;
  return rows.map((r) => ({ at: r.at.toISOString(), version: r.version, invocation: r.invocation, stream: r.stream, line: r.line }));
}
