/**
 * The schema cache (PostgREST's "schema cache"): the tables, views, columns, keys, foreign keys,
 * functions and type names of the exposed schemas, read from pg_catalog in one query. Requests
 * are planned against it: an identifier a request names must be found here before it is
 * quoted into SQL.
 */
import type { Sql } from '../../core/store/database.js';

export interface Column {
  name: string;
  /** format_type() of the column, e.g. "integer", "text[]", "timestamp with time zone". */
  type: string;
  nullable: boolean;
  /** The column default's SQL as pg_get_expr renders it (catalog text, not user text). */
  default: string | null;
}

export interface Table {
  schema: string;
  name: string;
  /** r table, v view, m materialized view, f foreign table, p partitioned table. */
  kind: string;
  columns: Column[];
  primaryKey: string[];
  /** Column sets of the primary key and unique constraints: a foreign key into one is to-one. */
  uniques: string[][];
}

export interface ForeignKey {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface FunctionArg {
  name: string;
  type: string;
  hasDefault: boolean;
}

export interface DbFunction {
  schema: string;
  name: string;
  args: FunctionArg[];
  returnsSet: boolean;
  /** void, a scalar, or rows with named columns (a table type, a composite, RETURNS TABLE/OUT). */
  returns: 'void' | 'scalar' | 'composite';
  returnColumns: { name: string; type: string }[];
  /** The table a function returns rows of (SETOF todos), for embedding from its results. */
  returnTable: { schema: string; name: string } | null;
  volatility: 'i' | 's' | 'v';
}

export interface SchemaCache {
  tables: Map<string, Table>;
  foreignKeys: ForeignKey[];
  functions: Map<string, DbFunction[]>;
  /** "schema.typname" of the types a select may cast to. */
  types: Set<string>;
}

export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** The tables a view reads from (pg_rewrite's dependencies). */
export interface ViewSource {
  schema: string;
  name: string;
  bases: { schema: string; name: string }[];
}

interface RawCache {
  tables: Table[];
  fks: ForeignKey[];
  functions: DbFunction[];
  types: string[];
  views?: ViewSource[];
}

const hasColumns = (t: Table, names: string[]) => names.every((n) => t.columns.some((c) => c.name === n));

/**
 * Foreign keys as seen through views, so views embed like their tables (PostgREST infers the
 * same from view definitions). A simplification: a view column stands for the base column of the
 * same name, which holds for views that select columns without renaming them.
 */
export function viewForeignKeys(tables: Map<string, Table>, fks: ForeignKey[], views: ViewSource[]): ForeignKey[] {
  const standIns = (schema: string, name: string, columns: string[]) => [
    { schema, name },
    ...views.filter((v) => v.bases.some((b) => b.schema === schema && b.name === name))
      .filter((v) => { const t = tables.get(tableKey(v.schema, v.name)); return t !== undefined && hasColumns(t, columns); }),
  ];
  const out: ForeignKey[] = [];
  for (const fk of fks) {
    for (const from of standIns(fk.schema, fk.table, fk.columns)) {
      for (const to of standIns(fk.refSchema, fk.refTable, fk.refColumns)) {
        const isBase = from.schema === fk.schema && from.name === fk.table && to.schema === fk.refSchema && to.name === fk.refTable;
        if (!isBase) out.push({ ...fk, schema: from.schema, table: from.name, refSchema: to.schema, refTable: to.name });
      }
    }
  }
  return out;
}

/** A view over one table keeps that table's keys when it shows their columns. */
function inheritKeys(tables: Map<string, Table>, views: ViewSource[]): void {
  for (const v of views) {
    const view = tables.get(tableKey(v.schema, v.name));
    const base = v.bases.length === 1 && v.bases[0] ? tables.get(tableKey(v.bases[0].schema, v.bases[0].name)) : undefined;
    if (!view || !base || view.primaryKey.length > 0) continue;
    if (hasColumns(view, base.primaryKey)) view.primaryKey = base.primaryKey;
    view.uniques = base.uniques.filter((u) => hasColumns(view, u));
  }
}

/** Builds the maps from the rows of the catalog query; pure, so tests can build caches. */
export function buildSchemaCache(raw: RawCache): SchemaCache {
  const tables = new Map(raw.tables.map((t) => [tableKey(t.schema, t.name), t]));
  const views = raw.views ?? [];
  inheritKeys(tables, views);
  const foreignKeys = [...raw.fks, ...viewForeignKeys(tables, raw.fks, views)];
  const functions = new Map<string, DbFunction[]>();
  for (const f of raw.functions) {
    const key = tableKey(f.schema, f.name);
    functions.set(key, [...(functions.get(key) ?? []), f]);
  }
  return { tables, foreignKeys, functions, types: new Set(raw.types) };
}

const CATALOG_QUERY = `
WITH rels AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
),
cols AS (
  SELECT a.attrelid, json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
    'nullable', NOT a.attnotnull,
    -- An identity column has no pg_attrdef row; its default is its sequence's next value.
    'default', CASE WHEN a.attidentity <> '' THEN format('nextval(%L::regclass)', pg_get_serial_sequence(a.attrelid::regclass::text, a.attname))
      ELSE pg_get_expr(d.adbin, d.adrelid) END) ORDER BY a.attnum) AS columns
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
keys AS (
  SELECT k.conrelid, k.contype,
    ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS names
  FROM pg_constraint k WHERE k.conrelid IN (SELECT oid FROM rels) AND k.contype IN ('p', 'u')
),
fks AS (
  SELECT k.conname AS name, r.schema, r.name AS "table", fr.schema AS "refSchema", fr.name AS "refTable",
    ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS columns,
    ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS "refColumns"
  FROM pg_constraint k JOIN rels r ON r.oid = k.conrelid JOIN rels fr ON fr.oid = k.confrelid
  WHERE k.contype = 'f'
),
procs AS (
  SELECT n.nspname AS schema, p.proname AS name, p.proretset AS "returnsSet", p.provolatile::text AS volatility,
    p.prorettype, t.typtype, t.typrelid, p.pronargs, p.pronargdefaults,
    -- proargtypes is an oidvector, indexed from 0; through text it becomes an ordinary array.
    coalesce(p.proallargtypes, string_to_array(p.proargtypes::text, ' ')::oid[]) AS types,
    coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs::int])) AS modes,
    coalesce(p.proargnames, array_fill(''::text, ARRAY[p.pronargs::int])) AS names
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_type t ON t.oid = p.prorettype
  WHERE n.nspname = ANY($1::text[]) AND p.prokind = 'f'
),
funcs AS (
  SELECT p.schema, p.name, p."returnsSet", p.volatility,
    coalesce((SELECT json_agg(json_build_object('name', p.names[i], 'type', format_type(p.types[i], NULL),
        'hasDefault', x.pos > p.pronargs - p.pronargdefaults) ORDER BY i)
      FROM (SELECT i, row_number() OVER (ORDER BY i) AS pos FROM generate_subscripts(p.types, 1) i WHERE p.modes[i] IN ('i', 'b', 'v')) x), '[]') AS args,
    CASE WHEN p.prorettype = 'void'::regtype THEN 'void'
         WHEN p.typtype = 'c' OR EXISTS (SELECT 1 FROM unnest(p.modes) m WHERE m IN ('o', 'b', 't')) THEN 'composite'
         ELSE 'scalar' END AS returns,
    CASE WHEN p.typtype = 'c' THEN
      (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
        FROM pg_attribute a WHERE a.attrelid = p.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
    ELSE (SELECT json_agg(json_build_object('name', p.names[i], 'type', format_type(p.types[i], NULL)) ORDER BY i)
        FROM generate_subscripts(p.types, 1) i WHERE p.modes[i] IN ('o', 'b', 't')) END AS "returnColumns",
    (SELECT json_build_object('schema', r.schema, 'name', r.name) FROM rels r WHERE r.oid = p.typrelid) AS "returnTable"
  FROM procs p
)
SELECT json_build_object(
  'tables', coalesce((SELECT json_agg(json_build_object('schema', r.schema, 'name', r.name, 'kind', r.kind,
      'columns', coalesce(c.columns, '[]'),
      'primaryKey', coalesce((SELECT to_json(k.names) FROM keys k WHERE k.conrelid = r.oid AND k.contype = 'p'), '[]'),
      'uniques', coalesce((SELECT json_agg(k.names) FROM keys k WHERE k.conrelid = r.oid), '[]')))
    FROM rels r LEFT JOIN cols c ON c.attrelid = r.oid), '[]'),
  'fks', coalesce((SELECT json_agg(f) FROM fks f), '[]'),
  'functions', coalesce((SELECT json_agg(json_build_object('schema', f.schema, 'name', f.name, 'args', f.args,
      'returnsSet', f."returnsSet", 'returns', f.returns, 'returnColumns', coalesce(f."returnColumns", '[]'),
      'returnTable', f."returnTable", 'volatility', f.volatility)) FROM funcs f), '[]'),
  'views', coalesce((SELECT json_agg(json_build_object('schema', v.schema, 'name', v.name, 'bases', (
      SELECT coalesce(json_agg(DISTINCT jsonb_build_object('schema', b.schema, 'name', b.name)), '[]')
      FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
      JOIN rels b ON b.oid = d.refobjid AND b.oid <> v.oid
      WHERE r.ev_class = v.oid)))
    FROM rels v WHERE v.kind IN ('v', 'm')), '[]'),
  'types', coalesce((SELECT json_agg(n.nspname || '.' || t.typname) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'pg_catalog' OR n.nspname = ANY($1::text[])), '[]')
)::text AS cache`;

export async function loadSchemaCache(sql: Sql, schemas: string[]): Promise<SchemaCache> {
  const [row] = await sql.unsafe(CATALOG_QUERY, [schemas as unknown as string]);
  return buildSchemaCache(JSON.parse(row!.cache as string) as RawCache);
}
