/**
 * The OpenAPI root, `GET /rest/v1/` (docs.postgrest.org, "OpenAPI"): a Swagger 2.0 document of
 * the exposed schema's tables, views and functions, as PostgREST serves it with its default
 * `openapi-mode = follow-privileges`: only what the request's role may use is listed (the
 * handler asks PostgreSQL which, in the request's transaction). Columns become definitions
 * with a JSON type and the PostgreSQL type as `format`; keys are noted in the description as
 * PostgREST notes them (`<pk/>`, `<fk table='…' column='…'/>`), which type generators read.
 */
import type { RequestTransaction } from '../session.js';
import type { Answer, Planned } from './planned.js';
import type { DbFunction, SchemaCache, Table } from './schema-cache.js';

export const OPENAPI_TYPE = 'application/openapi+json; charset=utf-8';

interface Schema {
  type?: string;
  format?: string;
  items?: Schema;
  description?: string;
  default?: unknown;
}

/** PostgreSQL's type name (format_type) to a Swagger type, the name kept as `format`. */
export function columnSchema(pgType: string): Schema {
  if (pgType.endsWith('[]')) return { type: 'array', format: pgType, items: columnSchema(pgType.slice(0, -2)) };
  const base = pgType.replace(/\(.*\)$/, '');
  if (['smallint', 'integer', 'bigint'].includes(base)) return { type: 'integer', format: pgType };
  if (['numeric', 'real', 'double precision'].includes(base)) return { type: 'number', format: pgType };
  if (base === 'boolean') return { type: 'boolean', format: pgType };
  if (base === 'json' || base === 'jsonb') return { format: pgType };
  return { type: 'string', format: pgType };
}

function keyNotes(cache: SchemaCache, table: Table, column: string): string | undefined {
  const notes: string[] = [];
  if (table.primaryKey.includes(column)) notes.push('This is a Primary Key.<pk/>');
  for (const fk of cache.foreignKeys) {
    const i = fk.columns.indexOf(column);
    if (fk.schema === table.schema && fk.table === table.name && fk.columns.length === 1 && i === 0) {
      notes.push(`This is a Foreign Key to \`${fk.refTable}.${fk.refColumns[0]}\`.<fk table='${fk.refTable}' column='${fk.refColumns[0]}'/>`);
    }
  }
  return notes.length === 0 ? undefined : `Note:\n${notes.join('\n')}`;
}

function definition(cache: SchemaCache, table: Table) {
  const properties: Record<string, Schema> = {};
  for (const c of table.columns) {
    const notes = keyNotes(cache, table, c.name);
    properties[c.name] = { ...columnSchema(c.type), ...(notes ? { description: notes } : {}) };
  }
  const required = table.columns.filter((c) => !c.nullable && c.default === null).map((c) => c.name);
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties };
}

const ok = (description: string) => ({ description });

function tablePaths(name: string, writable: boolean) {
  const ref = { $ref: `#/definitions/${name}` };
  const read = { tags: [name], parameters: [{ $ref: '#/parameters/select' }, { $ref: '#/parameters/order' }, { $ref: '#/parameters/limit' }, { $ref: '#/parameters/offset' }],
    responses: { 200: { description: 'OK', schema: { type: 'array', items: ref } }, 206: ok('Partial Content') } };
  if (!writable) return { get: read };
  const body = { name: name, in: 'body', required: false, schema: ref };
  return {
    get: read,
    post: { tags: [name], parameters: [body, { $ref: '#/parameters/select' }, { $ref: '#/parameters/preferPost' }], responses: { 201: ok('Created') } },
    put: { tags: [name], parameters: [body, { $ref: '#/parameters/preferReturn' }], responses: { 200: ok('OK'), 204: ok('No Content') } },
    patch: { tags: [name], parameters: [body, { $ref: '#/parameters/preferReturn' }], responses: { 204: ok('No Content') } },
    delete: { tags: [name], parameters: [{ $ref: '#/parameters/preferReturn' }], responses: { 204: ok('No Content') } },
  };
}

function functionPath(fn: DbFunction) {
  const properties = Object.fromEntries(fn.args.map((a) => [a.name, columnSchema(a.type)]));
  const required = fn.args.filter((a) => !a.hasDefault).map((a) => a.name);
  const args = { name: 'args', in: 'body', required: true, schema: { type: 'object', ...(required.length > 0 ? { required } : {}), properties } };
  const post = { tags: ['(rpc) ' + fn.name], parameters: [args], responses: { 200: ok('OK') } };
  if (fn.volatility === 'v') return { post };
  const query = fn.args.map((a) => ({ name: a.name, in: 'query', required: !a.hasDefault, ...columnSchema(a.type) }));
  return { get: { tags: ['(rpc) ' + fn.name], parameters: query, responses: { 200: ok('OK') } }, post };
}

export interface Visible {
  /** Relations the role may read or change: name -> whether it may change them. */
  tables: Map<string, boolean>;
  functions: Set<string>;
}

export function openApiDocument(cache: SchemaCache, schema: string, visible: Visible, host: string | undefined): object {
  const tables = [...cache.tables.values()].filter((t) => t.schema === schema && visible.tables.has(t.name)).sort((a, b) => a.name.localeCompare(b.name));
  const functions = [...cache.functions.values()].flat().filter((f) => f.schema === schema && visible.functions.has(f.name));
  const paths: Record<string, object> = { '/': { get: { tags: ['Introspection'], summary: 'OpenAPI description (this document)', produces: ['application/openapi+json', 'application/json'], responses: { 200: ok('OK') } } } };
  for (const t of tables) paths[`/${t.name}`] = tablePaths(t.name, visible.tables.get(t.name) === true && t.kind !== 'm');
  // Overloads share a path; the first one in the cache describes it.
  for (const f of functions) paths[`/rpc/${f.name}`] ??= functionPath(f);
  return {
    swagger: '2.0',
    info: { title: 'DevFlow REST API', description: 'The PostgREST-compatible API of this project\'s database (/rest/v1)', version: '12' },
    ...(host ? { host } : {}),
    basePath: '/',
    schemes: ['http', 'https'],
    consumes: ['application/json', 'application/vnd.pgrst.object+json', 'text/csv'],
    produces: ['application/json', 'application/vnd.pgrst.object+json', 'text/csv'],
    paths,
    definitions: Object.fromEntries(tables.map((t) => [t.name, definition(cache, t)])),
    parameters: {
      select: { name: 'select', description: 'Filtering Columns', required: false, in: 'query', type: 'string' },
      order: { name: 'order', description: 'Ordering', required: false, in: 'query', type: 'string' },
      limit: { name: 'limit', description: 'Limiting and Pagination', required: false, in: 'query', type: 'string' },
      offset: { name: 'offset', description: 'Limiting and Pagination', required: false, in: 'query', type: 'string' },
      preferReturn: { name: 'Prefer', description: 'Preference', required: false, in: 'header', type: 'string', enum: ['return=representation', 'return=minimal', 'return=none'] },
      preferPost: { name: 'Prefer', description: 'Preference', required: false, in: 'header', type: 'string', enum: ['return=representation', 'return=minimal', 'return=none', 'resolution=ignore-duplicates', 'resolution=merge-duplicates'] },
    },
  };
}

/** What the request's role may use in `schema`, asked of PostgreSQL in its transaction. */
async function visibleTo(tx: RequestTransaction, schema: string): Promise<Visible> {
  const relations = await tx.unsafe(`
    SELECT c.relname AS name,
      has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') AS writable
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
      AND (has_table_privilege(c.oid, 'SELECT') OR has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE'))`, [schema]);
  const functions = await tx.unsafe(`
    SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = $1 AND has_function_privilege(p.oid, 'EXECUTE')`, [schema]);
  return {
    tables: new Map(relations.map((r) => [r.name as string, r.writable as boolean])),
    functions: new Set(functions.map((r) => r.name as string)),
  };
}

export function planOpenApi(cache: SchemaCache, schema: string, host: string | undefined): Planned {
  return {
    readOnly: true,
    async run(tx) {
      const body = JSON.stringify(openApiDocument(cache, schema, await visibleTo(tx, schema), host));
      return { total: null, pageTotal: 0, body, affected: 0 };
    },
    keep: () => true,
    answer: (result): Answer => ({ status: 200, headers: { 'content-type': OPENAPI_TYPE }, body: result.body ?? '{}' }),
  };
}
