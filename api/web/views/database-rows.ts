/// <reference lib="dom" />
/**
 * The studio's table browser (issue 17): a page of a table's rows with sort, one filter, paging,
 * and insert, edit and delete. It is a client of the app backend's own `/rest/v1` (PostgREST's
 * API), as the service role, on the dashboard's origin (the backend's path form), so values are
 * quoted and bound there, never pasted into SQL here. Every write asks for a confirmation first:
 * the service role bypasses row-level security.
 */
import { h, replace } from '../dom.js';
import { attempt } from './panel.js';

export interface ColumnInfo { name: string; type: string; primaryKey: boolean; default: string | null }

const PAGE = 25;
const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'is'];

interface Browse { order?: { column: string; ascending: boolean }; filter?: { column: string; op: string; value: string }; offset: number }

async function rest(app: string, key: string, method: string, table: string, query: URLSearchParams, init: { body?: unknown; prefer?: string } = {}): Promise<Response> {
  const res = await fetch(`/backend/${encodeURIComponent(app)}/rest/v1/${encodeURIComponent(table)}?${query}`, {
    method,
    headers: {
      apikey: key, authorization: `Bearer ${key}`,
      ...(init.prefer ? { prefer: init.prefer } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) {
    const err = (await res.json().catch(() => ({}))) as { message?: string; hint?: string | null };
    throw new Error(`${err.message ?? `HTTP ${res.status}`}${err.hint ? ` (${err.hint})` : ''}`);
  }
  return res;
}

/** How a cell reads in the grid: JSON for objects and arrays, a dash for null. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** What an input's text becomes in a JSON body: empty is null; json/jsonb columns take JSON. */
function inputValue(column: ColumnInfo, text: string): unknown {
  if (text === '') return null;
  if (column.type === 'json' || column.type === 'jsonb') return JSON.parse(text) as unknown;
  return text;
}

export function rowsBrowser(app: string, key: string, table: string, columns: ColumnInfo[]): HTMLElement {
  const root = h('section', { 'data-testid': 'rows' });
  const keys = columns.filter((c) => c.primaryKey);
  const state: Browse = { offset: 0 };
  const matchRow = (row: Record<string, unknown>) => {
    const q = new URLSearchParams();
    for (const k of keys) q.set(k.name, `eq.${String(row[k.name])}`);
    return q;
  };

  const draw = async (): Promise<void> => {
    const q = new URLSearchParams({ select: '*', limit: String(PAGE), offset: String(state.offset) });
    if (state.order) q.set('order', `${state.order.column}.${state.order.ascending ? 'asc' : 'desc'}`);
    if (state.filter) q.set(state.filter.column, `${state.filter.op}.${state.filter.value}`);
    const res = await rest(app, key, 'GET', table, q, { prefer: 'count=exact' });
    const rows = (await res.json()) as Array<Record<string, unknown>>;
    const total = Number(res.headers.get('content-range')?.split('/')[1] ?? rows.length);

    const header = columns.map((c) => h('th', { className: 'clickable', title: c.type, onclick: () => {
      state.order = { column: c.name, ascending: state.order?.column === c.name ? !state.order.ascending : true };
      void attempt(root, draw);
    } }, c.name, state.order?.column === c.name ? (state.order.ascending ? ' ▲' : ' ▼') : ''));
    const body = rows.map((row) => h('tr', { 'data-row': keys.map((k) => String(row[k.name])).join(',') },
      ...columns.map((c) => h('td', { className: 'mono', 'data-column': c.name, ondblclick: (e: Event) => {
        if (keys.length === 0) return;
        const cell = e.currentTarget as HTMLElement;
        const input = h('input', { name: `edit-${c.name}`, value: row[c.name] === null ? '' : cellText(row[c.name]) });
        const save = h('button', { type: 'submit' }, 'Save');
        replace(cell, h('form', { className: 'inline', onsubmit: (ev: Event) => {
          ev.preventDefault();
          void attempt(root, async () => {
            if (!confirm(`Change ${c.name} of this row as the service role (row-level security does not apply)?`)) return;
            await rest(app, key, 'PATCH', table, matchRow(row), { body: { [c.name]: inputValue(c, input.value) }, prefer: 'return=minimal' });
            await draw();
          });
        } }, input, save));
        input.focus();
      } }, cellText(row[c.name]))),
      h('td', {}, keys.length === 0 ? '' : h('button', { onclick: () => void attempt(root, async () => {
        if (!confirm('Delete this row as the service role (row-level security does not apply)?')) return;
        await rest(app, key, 'DELETE', table, matchRow(row), { prefer: 'return=minimal' });
        await draw();
      }) }, 'Delete'))));

    const column = h('select', { name: 'filter-column' }, ...columns.map((c) => h('option', { value: c.name }, c.name)));
    const op = h('select', { name: 'filter-op' }, ...OPERATORS.map((o) => h('option', { value: o }, o)));
    const value = h('input', { name: 'filter-value', placeholder: 'value' });
    if (state.filter) {
      column.value = state.filter.column;
      op.value = state.filter.op;
      value.value = state.filter.value;
    }
    const filter = h('form', { className: 'inline', onsubmit: (e: Event) => {
      e.preventDefault();
      state.filter = value.value === '' ? undefined : { column: column.value, op: op.value, value: value.value };
      state.offset = 0;
      void attempt(root, draw);
    } }, 'Filter ', column, op, value, h('button', { type: 'submit' }, 'Apply'));

    const fields = columns.map((c) => h('input', { name: `new-${c.name}`, placeholder: c.default === null ? c.name : `${c.name} (default)`, title: c.type }));
    const insert = h('form', { className: 'inline', onsubmit: (e: Event) => {
      e.preventDefault();
      void attempt(root, async () => {
        if (!confirm(`Insert this row into ${table} as the service role (row-level security does not apply)?`)) return;
        const row: Record<string, unknown> = {};
        columns.forEach((c, i) => {
          if (fields[i]!.value !== '') row[c.name] = inputValue(c, fields[i]!.value);
        });
        await rest(app, key, 'POST', table, new URLSearchParams(), { body: row, prefer: 'return=minimal' });
        await draw();
      });
    } }, ...fields, h('button', { type: 'submit' }, 'Insert row'));

    const last = Math.min(state.offset + rows.length, total);
    replace(root, filter,
      h('div', { style: 'overflow-x:auto' }, h('table', {}, h('thead', {}, h('tr', {}, ...header, h('th', {}))), h('tbody', {}, ...body))),
      h('p', { className: 'muted', 'data-testid': 'rows-range' }, total === 0 ? 'No rows' : `Rows ${state.offset + 1}–${last} of ${total}`,
        ' ', h('button', { disabled: state.offset === 0, onclick: () => {
          state.offset = Math.max(0, state.offset - PAGE);
          void attempt(root, draw);
        } }, 'Previous'),
        ' ', h('button', { disabled: last >= total, onclick: () => {
          state.offset += PAGE;
          void attempt(root, draw);
        } }, 'Next'),
        keys.length === 0 ? ' · no primary key: rows can be read, not edited' : ' · double-click a cell to edit it'),
      insert);
  };
  void attempt(root, draw);
  return root;
}
