/**
 * The database studio's schema view (issue 17): the app database's tables and views with their
 * columns and types, primary and foreign keys, whether row-level security is on, and its
 * policies, read from the system catalogs in one query. System schemas (pg_*, information_schema)
 * are left out; the backend's own (auth, storage, extensions) are kept, as Supabase's studio
 * shows them, since policies often refer to them.
 */
import type { Sql } from '../../core/store/database.js';

export interface ColumnView {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  primaryKey: boolean;
}

export interface ForeignKeyView {
  name: string;
  columns: string[];
  references: { schema: string; table: string; columns: string[] };
}

export interface PolicyView {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  check: string | null;
}

export interface TableView {
  schema: string;
  name: string;
  kind: 'table' | 'view' | 'materialized view' | 'partitioned table' | 'foreign table';
  rowLevelSecurity: boolean;
  estimatedRows: number;
  columns: ColumnView[];
  foreignKeys: ForeignKeyView[];
  policies: PolicyView[];
}

const KINDS: Record<string, TableView['kind']> = { r: 'table', v: 'view', m: 'materialized view', p: 'partitioned table', f: 'foreign table' };

export async function readSchema(sql: Sql): Promise<TableView[]> {
  const rows = await sql<Array<Omit<TableView, 'kind'> & { kind: string }>>`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relrowsecurity AS "rowLevelSecurity",
      greatest(c.reltuples, 0)::bigint::float8 AS "estimatedRows",
      coalesce((SELECT json_agg(json_build_object(
          'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', NOT a.attnotnull,
          'default', pg_get_expr(d.adbin, d.adrelid),
          'primaryKey', EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)))
          ORDER BY a.attnum)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
      coalesce((SELECT json_agg(json_build_object(
          'name', k.conname,
          'columns', (SELECT json_agg(a.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(num, ord)
                      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num),
          'references', json_build_object('schema', fn.nspname, 'table', f.relname,
            'columns', (SELECT json_agg(a.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(num, ord)
                        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num)))
          ORDER BY k.conname)
        FROM pg_constraint k JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
        WHERE k.conrelid = c.oid AND k.contype = 'f'), '[]') AS "foreignKeys",
      coalesce((SELECT json_agg(json_build_object(
          'name', p.polname,
          'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
          'permissive', p.polpermissive,
          'roles', CASE WHEN p.polroles = '{0}' THEN json_build_array('public')
                   ELSE (SELECT json_agg(r.rolname ORDER BY r.rolname) FROM pg_roles r WHERE r.oid = ANY (p.polroles)) END,
          'using', pg_get_expr(p.polqual, p.polrelid),
          'check', pg_get_expr(p.polwithcheck, p.polrelid))
          ORDER BY p.polname)
        FROM pg_policy p WHERE p.polrelid = c.oid), '[]') AS policies
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
      AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
      AND NOT c.relispartition
    ORDER BY n.nspname = 'public' DESC, n.nspname, c.relname`;
  return rows.map((r) => ({ ...r, kind: KINDS[r.kind] ?? 'table' }));
}
