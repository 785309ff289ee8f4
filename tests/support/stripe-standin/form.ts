/**
 * Stripe's request encoding (API reference, "Requests": form-encoded bodies, nested with bracket
 * notation): `metadata[team]=acme`, `line_items[0][price]=price_x`, `expand[]=customer`.
 * Objects whose keys are all indexes become arrays, the way Stripe reads them. Pure.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type Form = { [key: string]: FormValue };

/** `a[b][0]` → ['a', 'b', '0']; `a[]` → ['a', '']. */
export function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open < 0) return [key];
  const parts = [key.slice(0, open)];
  for (const m of key.slice(open).matchAll(/\[([^\]]*)\]/g)) parts.push(m[1]!);
  return parts;
}

function setPath(target: Record<string, unknown>, parts: string[], value: string): void {
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] === '' ? String(Object.keys(node).length) : parts[i]!;
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  node[last === '' ? String(Object.keys(node).length) : last] = value;
}

/** Turns `{0: x, 1: y}` into `[x, y]`, deeply. */
function arrays(value: unknown): FormValue {
  if (typeof value !== 'object' || value === null) return value as string;
  const entries = Object.entries(value as Record<string, unknown>);
  const indexed = entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k));
  if (indexed) return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => arrays(v));
  return Object.fromEntries(entries.map(([k, v]) => [k, arrays(v)]));
}

export function parseForm(body: string): Form {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) setPath(root, splitKey(key), value);
  return arrays(root) as Form;
}
