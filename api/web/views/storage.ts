/// <reference lib="dom" />
/**
 * The studio's Storage tab (issue 17): the app backend's buckets and their files, listed,
 * uploaded, downloaded and deleted, and buckets made public or private. Like the table browser
 * (database-rows.ts) it is a client of the project's own Supabase Storage API (`/storage/v1`,
 * backend/storage/) as the service role, on the dashboard's origin (the backend's path form),
 * so the dashboard adds no API of its own and sees what supabase-js would. Every write asks for
 * a confirmation: the service role bypasses the RLS policies on storage.objects.
 */
import { ApiError, api } from '../client.js';
import { h, replace } from '../dom.js';
import { attempt, type Panel } from './panel.js';

interface Bucket { id: string; name: string; public: boolean; file_size_limit: number | null; allowed_mime_types: string[] | null; created_at: string }
/** One entry of a listing: a file, or a folder (id null) standing for the names under it. */
interface Entry { name: string; id: string | null; updated_at: string | null; metadata: { size?: number; mimetype?: string } | null }

const PAGE = 100;

function storage(app: string, key: string) {
  const base = `/backend/${encodeURIComponent(app)}/storage/v1`;
  const headers = { apikey: key, authorization: `Bearer ${key}` };
  /** Storage's error bodies are `{ statusCode, error, message }`. */
  const call = async (method: string, path: string, init: { json?: unknown; body?: Blob; headers?: Record<string, string> } = {}): Promise<Response> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.json === undefined ? init.body : JSON.stringify(init.json),
    });
    if (!res.ok) {
      const err = (await res.json().catch(() => ({}))) as { message?: string };
      throw new Error(err.message ?? `storage answered HTTP ${res.status}`);
    }
    return res;
  };
  return { base, call };
}

/** An object key's path in a URL: each segment encoded, the slashes kept. */
const keyPath = (key: string) => key.split('/').map(encodeURIComponent).join('/');

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function filesView(app: string, key: string, bucket: Bucket, redrawBuckets: () => void): HTMLElement {
  const root = h('section', { 'data-testid': 'files' });
  const { base, call } = storage(app, key);
  let prefix = '';
  const draw = async (): Promise<void> => {
    const entries = (await (await call('POST', `/object/list/${encodeURIComponent(bucket.id)}`, {
      json: { prefix, limit: PAGE, offset: 0, sortBy: { column: 'name', order: 'asc' } },
    })).json()) as Entry[];
    const go = (to: string) => () => {
      prefix = to;
      void attempt(root, draw);
    };
    const crumbs = prefix.split('/').filter(Boolean);
    const path = h('p', { 'data-testid': 'files-path' }, h('span', { className: 'clickable', onclick: go('') }, bucket.name),
      ...crumbs.flatMap((c, i) => [' / ', h('span', { className: 'clickable', onclick: go(`${crumbs.slice(0, i + 1).join('/')}/`) }, c)]));
    const rows = entries.map((e) => {
      const name = `${prefix}${e.name}`;
      if (e.id === null) {
        return h('tr', { 'data-file': `${name}/` }, h('td', {}, h('span', { className: 'clickable', onclick: go(`${name}/`) }, `${e.name}/`)), h('td', {}), h('td', {}), h('td', {}), h('td', {}));
      }
      const download = h('button', { onclick: () => void attempt(root, async () => {
        const blob = await (await call('GET', `/object/authenticated/${encodeURIComponent(bucket.id)}/${keyPath(name)}`)).blob();
        const link = h('a', { href: URL.createObjectURL(blob), download: e.name });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      }) }, 'Download');
      const remove = h('button', { onclick: () => void attempt(root, async () => {
        if (!confirm(`Delete ${name} from ${bucket.name} as the service role (storage policies do not apply)?`)) return;
        await call('DELETE', `/object/${encodeURIComponent(bucket.id)}`, { json: { prefixes: [name] } });
        await draw();
      }) }, 'Delete');
      const publicLink = bucket.public
        ? h('a', { href: `${base}/object/public/${encodeURIComponent(bucket.id)}/${keyPath(name)}`, target: '_blank', rel: 'noopener' }, 'public URL')
        : '';
      return h('tr', { 'data-file': name }, h('td', { className: 'mono' }, e.name), h('td', { className: 'muted' }, size(e.metadata?.size)),
        h('td', { className: 'muted' }, e.metadata?.mimetype ?? ''), h('td', { className: 'muted' }, e.updated_at ? e.updated_at.slice(0, 16).replace('T', ' ') : ''),
        h('td', {}, download, ' ', remove, ' ', publicLink));
    });
    const file = h('input', { type: 'file', name: 'upload-file' });
    const upload = h('form', { className: 'inline', onsubmit: (ev: Event) => {
      ev.preventDefault();
      void attempt(root, async () => {
        const chosen = file.files?.[0];
        if (!chosen) throw new Error('choose a file to upload');
        const name = `${prefix}${chosen.name}`;
        if (!confirm(`Upload ${name} to ${bucket.name} as the service role, replacing a file of that name?`)) return;
        await call('POST', `/object/${encodeURIComponent(bucket.id)}/${keyPath(name)}`, {
          body: chosen, headers: { 'x-upsert': 'true', 'content-type': chosen.type || 'application/octet-stream' },
        });
        await draw();
      });
    } }, file, h('button', { type: 'submit' }, 'Upload'));
    const toggle = h('button', { onclick: () => void attempt(root, async () => {
      const next = !bucket.public;
      if (!confirm(next ? `Make ${bucket.name} public? Anyone with a file's URL can read it, without a key.` : `Make ${bucket.name} private? Files are then served only to callers its policies allow.`)) return;
      await call('PUT', `/bucket/${encodeURIComponent(bucket.id)}`, { json: { public: next } });
      redrawBuckets();
    }) }, bucket.public ? 'Make private' : 'Make public');
    replace(root, h('h3', {}, bucket.name, ' ', h('span', { className: 'muted', 'data-testid': 'bucket-access' }, bucket.public ? 'public' : 'private'), ' ', toggle),
      path,
      entries.length === 0 ? h('p', { className: 'muted' }, 'No files here yet.') : h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Size'), h('th', {}, 'Type'), h('th', {}, 'Updated'), h('th', {}))),
        h('tbody', {}, ...rows)),
      upload);
  };
  void attempt(root, draw);
  return root;
}

export function storagePanel(root: HTMLElement, app: string): Panel {
  const card = h('div', { className: 'card' });
  const files = h('div', {});
  let selected: string | undefined;
  const draw = () => void attempt(card, async () => {
    let key: string;
    try {
      key = (await api<{ serviceRoleKey: string }>('GET', `/apps/${app}/backend`)).serviceRoleKey;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      replace(card, h('h2', {}, 'Storage'), h('p', { className: 'muted' }, 'Enable the backend (Backend tab) to keep files in buckets.'));
      return;
    }
    const { call } = storage(app, key);
    const buckets = (await (await call('GET', '/bucket')).json()) as Bucket[];
    const open = (b: Bucket) => {
      selected = b.id;
      list.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
      list.querySelector(`tr[data-bucket="${CSS.escape(b.id)}"]`)?.classList.add('selected');
      replace(files, filesView(app, key, b, draw));
    };
    const list = h('table', {}, h('tbody', {}, ...buckets.map((b) => h('tr', { className: 'clickable', 'data-bucket': b.id, onclick: () => open(b) },
      h('td', {}, b.name), h('td', { className: 'muted' }, b.public ? 'public' : 'private'),
      h('td', { className: 'muted' }, b.file_size_limit ? `up to ${size(b.file_size_limit)}` : ''),
      h('td', { className: 'muted' }, b.allowed_mime_types?.join(', ') ?? '')))));
    const name = h('input', { name: 'bucket-name', placeholder: 'avatars' });
    const isPublic = h('input', { type: 'checkbox', name: 'bucket-public' });
    const create = h('form', { className: 'inline', onsubmit: (ev: Event) => {
      ev.preventDefault();
      void attempt(card, async () => {
        await call('POST', '/bucket', { json: { name: name.value.trim(), public: isPublic.checked } });
        selected = name.value.trim();
        draw();
      });
    } }, name, h('label', {}, isPublic, ' public'), h('button', { type: 'submit' }, 'Create bucket'));
    replace(files);
    replace(card, h('h2', {}, 'Storage'),
      h('p', { className: 'muted' }, 'Buckets of the app backend (/storage/v1). Shown and changed as the service role.'),
      buckets.length === 0 ? h('p', { className: 'muted' }, 'No buckets yet.') : list, create, files);
    const again = buckets.find((b) => b.id === selected);
    if (again) open(again);
  });
  replace(root, card);
  draw();
  return {};
}
