/// <reference lib="dom" />
/**
 * The app's Database tab, the studio (issue 17): the schema (tables, columns, keys, row-level
 * security policies), a table's rows (database-rows.ts, through the backend's /rest/v1), and a
 * SQL editor with the person's history. Schema, SQL and history come from DevFlow's API
 * (/apps/{app}/database/…), which runs them as the app database's owner.
 */
import { ApiError, api } from '../client.js';
import { h, replace } from '../dom.js';
import { rowsBrowser, type ColumnInfo } from './database-rows.js';
import { attempt, type Panel } from './panel.js';

interface TableView {
  schema: string; name: string; kind: string; rowLevelSecurity: boolean; estimatedRows: number;
  columns: Array<ColumnInfo & { nullable: boolean }>;
  foreignKeys: Array<{ name: string; columns: string[]; references: { schema: string; table: string; columns: string[] } }>;
  policies: Array<{ name: string; command: string; roles: string[]; using: string | null; check: string | null }>;
}
/** Commands whose row count means something (PostgreSQL's command tags that carry one). */
const COUNTED = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'FETCH', 'MOVE']);

interface SqlResult { command: string; rowCount: number; columns: string[]; rows: unknown[][]; truncated: boolean }

function tableDetails(app: string, t: TableView, serviceRoleKey: string | undefined): HTMLElement {
  const name = t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
  const policies = t.policies.length === 0
    ? h('p', { className: 'muted' }, t.rowLevelSecurity ? 'Row-level security is on and no policy allows anything: only the service role sees rows.' : 'Row-level security is off: with the backend enabled, anyone with the anon key can read and write this table.')
    : h('table', { 'data-testid': 'policies' }, h('tbody', {}, ...t.policies.map((p) => h('tr', {},
      h('td', {}, p.name), h('td', {}, p.command), h('td', {}, p.roles.join(', ')),
      h('td', { className: 'mono' }, p.using ? `using (${p.using})` : '', p.check ? ` with check (${p.check})` : '')))));
  const rows = t.schema !== 'public'
    ? h('p', { className: 'muted' }, 'Rows of tables outside the public schema: use the SQL editor.')
    : serviceRoleKey === undefined
      ? h('p', { className: 'muted' }, 'Enable the backend (Backend tab) to browse and edit rows here; the SQL editor works without it.')
      : rowsBrowser(app, serviceRoleKey, t.name, t.columns);
  return h('div', { 'data-testid': 'table-details' },
    h('h3', {}, name, ' ', h('span', { className: 'muted' }, `${t.kind} · row-level security ${t.rowLevelSecurity ? 'on' : 'off'}`)),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Type'), h('th', {}, 'Null'), h('th', {}, 'Default'), h('th', {}, 'Key'))),
      h('tbody', {}, ...t.columns.map((c) => {
        const fk = t.foreignKeys.find((f) => f.columns.includes(c.name));
        return h('tr', { 'data-column': c.name }, h('td', {}, c.name), h('td', { className: 'mono' }, c.type), h('td', {}, c.nullable ? 'yes' : 'no'),
          h('td', { className: 'mono' }, c.default ?? ''),
          h('td', {}, c.primaryKey ? 'primary' : '', fk ? `→ ${fk.references.table}(${fk.references.columns.join(', ')})` : ''));
      }))),
    h('h3', {}, 'Policies'), policies,
    h('h3', {}, 'Rows'), rows);
}

/** `schemaChanged` runs after a statement that may have changed the schema (DDL), to redraw it. */
function sqlEditor(app: string, schemaChanged: () => void): HTMLElement {
  const root = h('section', { 'data-testid': 'sql-editor' });
  const text = h('textarea', { name: 'sql', rows: 6, spellcheck: 'false', className: 'mono', style: 'width:100%', placeholder: 'select * from todos limit 10' });
  const output = h('div', { 'data-testid': 'sql-output' });
  const history = h('ul', { 'data-testid': 'sql-history', className: 'muted' });
  const drawHistory = async () => {
    const { queries } = await api<{ queries: Array<{ sql: string; ok: boolean; at: string }> }>('GET', `/apps/${app}/database/history`);
    replace(history, ...queries.slice(0, 10).map((q) => h('li', { className: 'clickable mono', title: q.at, onclick: () => {
      text.value = q.sql;
    } }, q.ok ? '' : '✗ ', q.sql.length > 120 ? `${q.sql.slice(0, 120)}…` : q.sql)));
  };
  const run = () => void attempt(root, async () => {
    replace(output, h('p', { className: 'muted' }, 'Running…'));
    try {
      const r = await api<SqlResult>('POST', `/apps/${app}/database/query`, { sql: text.value });
      replace(output,
        h('p', { className: 'muted', 'data-testid': 'sql-status' }, COUNTED.has(r.command) ? `${r.command} ${r.rowCount}${r.truncated ? ` (first ${r.rows.length} shown)` : ''}` : r.command),
        r.columns.length === 0 ? '' : h('div', { style: 'overflow-x:auto' }, h('table', {},
          h('thead', {}, h('tr', {}, ...r.columns.map((c) => h('th', {}, c)))),
          h('tbody', {}, ...r.rows.map((row) => h('tr', {}, ...row.map((v) => h('td', { className: 'mono' }, v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v)))))))));
      if (/^(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE)/.test(r.command)) schemaChanged();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      replace(output, h('div', { className: 'error', role: 'alert', 'data-testid': 'sql-error' }, err.message));
    }
    await drawHistory();
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  replace(root, h('h3', {}, 'SQL editor'),
    h('p', { className: 'muted' }, "Runs as the app database's owner, in one transaction (Ctrl+Enter). The last statement's rows are shown."),
    text, h('div', {}, h('button', { className: 'primary', onclick: run }, 'Run')), output, h('h3', {}, 'Your recent queries'), history);
  void attempt(root, drawHistory);
  return root;
}

export function databasePanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  const details = h('div', {});
  const drawSchema = () => void attempt(card, async () => {
    const [{ tables }, key] = await Promise.all([
      api<{ tables: TableView[] }>('GET', `/apps/${app}/database/schema`),
      api<{ serviceRoleKey: string }>('GET', `/apps/${app}/backend`).then((b) => b.serviceRoleKey, (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      }),
    ]);
    const label = (t: TableView) => (t.schema === 'public' ? t.name : `${t.schema}.${t.name}`);
    const list = h('table', {}, h('tbody', {}, ...tables.map((t) => h('tr', {
      className: 'clickable', 'data-table': label(t),
      onclick: (e: Event) => {
        list.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
        (e.currentTarget as HTMLElement).classList.add('selected');
        replace(details, tableDetails(app, t, key));
      },
    }, h('td', {}, label(t)), h('td', { className: 'muted' }, t.kind),
    h('td', { className: 'muted' }, t.rowLevelSecurity ? 'RLS on' : 'RLS off'),
    h('td', { className: 'muted' }, t.estimatedRows > 0 ? `~${t.estimatedRows} rows` : '')))));
    replace(details);
    replace(card, h('h2', {}, 'Database'), tables.length === 0 ? h('p', { className: 'muted' }, 'No tables yet: create one in the SQL editor below.') : list, details);
  });
  replace(root, card, h('div', { className: 'card' }, sqlEditor(app, drawSchema)));
  drawSchema();
  return {};
}
